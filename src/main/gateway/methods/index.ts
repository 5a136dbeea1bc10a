import { registerAgentMethods } from './agents.js';
import { registerConfigMethods } from './config.js';
import type { MethodServices } from './context.js';
import { registerDeviceManagementMethods } from './device-management.js';
import { registerDeviceMethods } from './devices.js';
import { registerGatewayAuthMethods } from './gateway-auth.js';
import { registerGatewayRestartMethods } from './gateway-restart.js';
import { registerInviteMethods } from './invites.js';
import { registerLogMethods } from './logs.js';
import { registerModelAuthMethods } from './model-auth.js';
import { registerModelMethods } from './models.js';
import { registerSessionMethods } from './sessions.js';
import { registerStatusMethods } from './status.js';

export type { MethodServices } from './context.js';

/** Registers every gateway method (PROTOCOL.md "Methods"). Add new method files here. */
export function registerAllMethods(services: MethodServices): void {
  registerStatusMethods(services);
  registerDeviceMethods(services);
  registerDeviceManagementMethods(services);
  registerInviteMethods(services);
  registerConfigMethods(services);
  registerModelMethods(services);
  registerModelAuthMethods(services);
  registerAgentMethods(services);
  registerSessionMethods(services);
  registerGatewayAuthMethods(services);
  registerLogMethods(services);
  registerGatewayRestartMethods(services);
}
