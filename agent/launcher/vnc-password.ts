// The VNC password from the cloud-init Secret. VNC authentication (DES) uses at most 8 characters.
export const VNC_PASSWORD_MAX = 8;

export function normalizeVncPassword(raw: string): { password?: string; error?: string; warning?: string } {
  const password = raw.replace(/\r?\n$/, '');
  if (password === '') return { error: 'the VNC password is empty' };
  if (/[\r\n]/.test(password)) return { error: 'the VNC password spans several lines' };
  if (password.length > VNC_PASSWORD_MAX) {
    return { password, warning: `VNC authentication uses only the first ${VNC_PASSWORD_MAX} characters of the password` };
  }
  return { password };
}
