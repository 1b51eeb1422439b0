export { FirstAdminSetup, SETUP_CODE_TTL_MS, type IssuedSetupCode } from './first-admin-setup';
export { SetupCodeModel } from './setup-code.model';
export { createSetupRouter } from './setup.routes';
export { removeSetupLinkFile, setupLinkFile, writeSetupLinkFile } from './setup-link-file';
