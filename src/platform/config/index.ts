export { loadConfig, ConfigError, type Config, type LogLevel } from './config';
