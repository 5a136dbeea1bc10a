// electron-builder afterPack hook: flip Electron's fuses in the packed binary, so the
// shipped app cannot be turned into a plain Node runtime (RunAsNode, NODE_OPTIONS,
// --inspect) and only runs the integrity-checked app.asar. A stub binary (the offline
// `npm run package:check`) has no fuse wire: the hook says so in one line and skips.
'use strict';
const { readFileSync, existsSync } = require('node:fs');
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

// builder-util's Arch enum values.
const ARCH_ARM64 = 3;
const ARCH_UNIVERSAL = 4;

/** Marks the fuse wire inside every Electron binary since v12 (@electron/fuses constants). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

const FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The window loads the UI over http from the gateway, never from file://.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The packed executable (the .app bundle on macOS) for this build. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const product = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${product}.app`);
  }
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${product}.exe`);
  return path.join(appOutDir, packager.executableName);
}

/** The file that holds the fuse wire: the framework on macOS, the executable elsewhere. */
function fuseFilePath(binary) {
  if (!binary.endsWith('.app')) return binary;
  return path.join(binary, 'Contents', 'Frameworks', 'Electron Framework.framework', 'Electron Framework');
}

function hasFuseWire(file) {
  return existsSync(file) && readFileSync(file).includes(FUSE_SENTINEL);
}

async function afterPack(context) {
  const binary = electronBinaryPath(context);
  if (!hasFuseWire(fuseFilePath(binary))) {
    console.log(`after-pack: ${path.basename(binary)} is not a real Electron binary (no fuse wire); fuses not flipped`);
    return;
  }
  await flipFuses(binary, {
    ...FUSES,
    // Flipping fuses invalidates the ad-hoc signature arm64 macOS needs to launch at all.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' &&
      (context.arch === ARCH_ARM64 || context.arch === ARCH_UNIVERSAL),
  });
  console.log(`after-pack: fuses flipped in ${path.basename(binary)}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSES = FUSES;
module.exports.electronBinaryPath = electronBinaryPath;
