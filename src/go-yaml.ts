/**
 * How go-yaml v2, the YAML library under kube-apiserver and kops (sigs.k8s.io/yaml), reads a plain
 * scalar. It is not YAML 1.1 to the letter, and the difference decides whether a value is a string.
 */
export type GoYamlValue = string | number | boolean | null;

/** go-yaml v2 resolve.go: the words it reads as booleans, null and the special floats. */
const GO_YAML_WORDS = new Map<string, GoYamlValue>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(
    (w): [string, GoYamlValue] => [w, true],
  ),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (w): [string, GoYamlValue] => [w, false],
  ),
  ...['', '~', 'null', 'Null', 'NULL'].map((w): [string, GoYamlValue] => [w, null]),
  ...['.nan', '.NaN', '.NAN'].map((w): [string, GoYamlValue] => [w, Number.NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w): [string, GoYamlValue] => [
    w,
    Number.POSITIVE_INFINITY,
  ]),
  ...['-.inf', '-.Inf', '-.INF'].map((w): [string, GoYamlValue] => [w, Number.NEGATIVE_INFINITY]),
]);

/**
 * go-yaml v2's resolve() of a plain scalar decoded into interface{}: a word from the table, else,
 * when it starts like a number, underscores dropped and then Go's strconv.ParseInt(s, 0, 64) (0x, 0o,
 * 0b prefixes in either case, a leading 0 for octal), ParseUint, or its float pattern; anything
 * else (timestamps too, which decode.go keeps as text for interface{}) is the text itself.
 */
export function goYamlPlain(text: string): GoYamlValue {
  const word = GO_YAML_WORDS.get(text);
  if (word !== undefined || GO_YAML_WORDS.has(text)) return word ?? null;
  if (!/^[-+.0-9]/.test(text)) return text;
  const plain = text.replaceAll('_', '');
  const integer =
    /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))$/.exec(plain);
  if (integer) {
    const [, sign, hex, octal, binary, legacyOctal, decimal] = integer;
    const digits = hex ?? octal ?? binary ?? legacyOctal ?? decimal!;
    const radix = hex ? 16 : octal || legacyOctal ? 8 : binary ? 2 : 10;
    const magnitude = BigInt(
      radix === 10 ? digits : `0${radix === 16 ? 'x' : radix === 8 ? 'o' : 'b'}${digits}`,
    );
    const value = sign === '-' ? -magnitude : magnitude;
    // int64, else uint64 (unsigned only without a sign), else on to the float pattern.
    const fits = value >= -(2n ** 63n) && (value < 2n ** 63n || (sign === '' && value < 2n ** 64n));
    if (fits) return Number(value);
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return Number.parseFloat(plain);
  return text;
}
