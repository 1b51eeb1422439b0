export { Housekeeper } from './housekeeper';
