/**
 * The CLI's surface of src/main: changing the config file and the keychain with no
 * gateway (`configure`, `onboard`, `models auth`). The same editor and secrets service the
 * gateway's `config.set` uses, so both keep one writer at a time and no secret in the file;
 * a running gateway is told of a keychain change through `announceSecretsChanged`.
 */
export { ConfigEditor } from '../config/edit.js';
export { announceSecretsChanged } from '../config/secrets-changed.js';
export { SecretsService, type SecretsConfigEdit } from '../secrets/secrets-service.js';
