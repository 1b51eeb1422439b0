export { createLogger, resolveLogFormat, type Logger, type LogFormat } from './logger';
export { formatBanner, type BannerInfo } from './banner';
export { requestContext, currentRequestId, type RequestContext } from './request-context';
