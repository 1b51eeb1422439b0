export {
  environmentWith,
  loadConfig,
  ConfigError,
  type Config,
  type CustomerLimits,
  type LogLevel,
  type ProviderCallPolicy,
  type WarehouseAddress,
  type WebhookSettings,
  type MailSettings,
} from './config';
