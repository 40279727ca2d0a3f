import fs from 'node:fs';

/** Uploaded and exported files hold personal data: readable by the app's user only. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
const STICKY = 0o1000;

/**
 * Makes `dir` (with missing parents) a folder of the app's own, mode 0700. A folder of ours left open by an
 * older version is closed; a folder others may use — a sticky temp folder like /tmp, or one of another
 * user — is refused (`name` says which setting points to it), never changed.
 */
export function ensurePrivateDir(dir: string, name: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stat = fs.statSync(dir);
  if ((stat.mode & 0o077) === 0) return;
  if (stat.mode & STICKY || stat.uid !== process.getuid?.()) {
    throw new Error(
      `${name}: ${dir} is a shared folder (mode ${(stat.mode & 0o7777).toString(8)}): give the app a folder of its own`,
    );
  }
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}
