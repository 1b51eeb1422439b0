export { createConsoleRouter, consoleStaticDir } from './console.routes';
