/**
 * A file saved "with BOM" (Windows editors do it) starts with U+FEFF. kube-apiserver and kops read
 * one at the start of a file, but policy and kubeconfig text is embedded in the spec after other
 * lines, where go-yaml refuses it as a control character: kops would refuse the spec, or
 * kube-apiserver the policy. So it is dropped when such a file is read.
 */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
