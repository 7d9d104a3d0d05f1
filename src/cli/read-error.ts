/** Why a file could not be read, in words a user can act on (for "Cannot read X: <reason>."). */
export function readErrorReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
      return 'permission denied';
    case 'Z_DATA_ERROR':
      return 'it is not valid gzip';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
