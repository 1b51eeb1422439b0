export { loadConfig, ConfigError, type Config, type CustomerLimits, type LogLevel, type ProviderCallPolicy, type WarehouseAddress } from './config';
