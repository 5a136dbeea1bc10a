// electron-builder afterPack hook: flip Electron's fuses in the packed binary, so the
// shipped app cannot be turned into a plain Node runtime (RunAsNode, NODE_OPTIONS,
// --inspect) and only runs the integrity-checked app.asar. A stub binary (the offline
// `npm run package:check`) has no fuse wire: the hook says so in one line and skips.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Marks the fuse wire inside every Electron binary since v12 (@electron/fuses constants). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// builder-util's Arch enum values.
const ARCH_ARM64 = 3;
const ARCH_UNIVERSAL = 4;

/** The fuses to set, by @electron/fuses FuseV1Options name. */
export const FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  // The window loads the UI over http from the gateway, never from file://.
  GrantFileProtocolExtraPrivileges: false,
};

/** The packed executable (the .app bundle on macOS) for this build. */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const product = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return join(appOutDir, `${product}.app`);
  }
  if (electronPlatformName === 'win32') return join(appOutDir, `${product}.exe`);
  return join(appOutDir, packager.executableName);
}

/** The file that holds the fuse wire: the framework on macOS, the executable elsewhere. */
function fuseFilePath(binary) {
  if (!binary.endsWith('.app')) return binary;
  return join(
    binary,
    'Contents',
    'Frameworks',
    'Electron Framework.framework',
    'Electron Framework',
  );
}

function hasFuseWire(file) {
  return existsSync(file) && readFileSync(file).includes(FUSE_SENTINEL);
}

export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  if (!hasFuseWire(fuseFilePath(binary))) {
    console.log(
      `after-pack: ${basename(binary)} is not a real Electron binary (no fuse wire); fuses not flipped`,
    );
    return;
  }
  // Loaded only for a real binary: the stub check needs no dev tooling beyond electron-builder.
  const { default: fuses } = await import('@electron/fuses');
  const config = { version: fuses.FuseVersion.V1 };
  for (const [name, value] of Object.entries(FUSES)) config[fuses.FuseV1Options[name]] = value;
  await fuses.flipFuses(binary, {
    ...config,
    // Flipping fuses invalidates the ad-hoc signature arm64 macOS needs to launch at all.
    resetAdHocDarwinSignature:
      context.electronPlatformName === 'darwin' &&
      (context.arch === ARCH_ARM64 || context.arch === ARCH_UNIVERSAL),
  });
  console.log(`after-pack: fuses flipped in ${basename(binary)}`);
}

export { afterPack };
