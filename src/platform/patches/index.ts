import { ENGINE_IO_PATCHES } from './engine-io';
import { EXPRESS_OPENAPI_VALIDATOR_PATCHES } from './express-openapi-validator';
import { SEQUELIZE_PATCHES } from './sequelize';
import { assertVersions, type PatchDeclaration, type PatchedDependency } from './versions';

/**
 * Every reach into a dependency's private internals lives in this folder, one file per dependency,
 * each declaring the versions it was checked against; docs/architecture.md ("Patches on private
 * internals") lists them. A new patch adds its declaration here.
 */
export const PATCHES: readonly PatchDeclaration[] = [SEQUELIZE_PATCHES, ENGINE_IO_PATCHES, EXPRESS_OPENAPI_VALIDATOR_PATCHES];

/**
 * Fails fast at start-up, naming the dependency, its installed version and the range checked, when a
 * patched dependency was upgraded past what its patch was checked against: a changed internal would
 * otherwise fail later, or silently, under load. `versionOf` is for tests.
 */
export function assertPatchedVersions(versionOf?: (dependency: PatchedDependency) => string): void {
  assertVersions(PATCHES, versionOf);
}

export { PatchedVersionError, installedVersion, satisfies, type PatchDeclaration, type PatchedDependency } from './versions';
export { connectionOf, acquireConnection, releaseConnection, destroyConnection, runAfterCommitHooks, poolActivity, type PgConnection } from './sequelize';
export { holdWebSocketWrites } from './engine-io';
export { validatorMiddleware } from './express-openapi-validator';
