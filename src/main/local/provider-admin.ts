/**
 * The CLI's surface of src/main: `models list` and `models auth add|remove|order`, run
 * locally with the services the gateway's `models.*` methods use. The auth profiles'
 * cooldown state is the gateway's; the CLI opens it read-only.
 */
export { AuthProfiles } from '../auth-profiles/auth-profiles.js';
export { ProfileAdmin } from '../auth-profiles/profile-admin.js';
export { ProfileStateStore } from '../auth-profiles/profile-state-store.js';
export { listModels } from '../providers/list-models.js';
export { ModelCatalog } from '../providers/model-catalog.js';
