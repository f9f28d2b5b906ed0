// A mistake the user can fix (bad flag, bad name, nothing to uninstall). The CLI prints only its
// message: a stack trace would suggest a bug in parlab when there is none.
export class InstallError extends Error {
  override readonly name = "InstallError";
}
