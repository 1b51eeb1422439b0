export { loadConfig, ConfigError, type Config, type LogLevel, type ProviderCallPolicy, type WarehouseAddress } from './config';
