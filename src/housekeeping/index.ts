export { Housekeeper, type ModulePurge } from './housekeeper';
