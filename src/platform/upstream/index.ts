export { ProviderError, isTransient, isProviderFault, type ProviderFailureKind } from './provider-error';
export { ProviderCaller, ProviderRegistry, type CallOptions } from './provider-call';
export { withProviderCall, type ProviderCallSteps } from './provider-protocol';
