export { EmailMessageModel, EmailFanoutCursorModel, EMAIL_TEMPLATES, type EmailTemplate, type EmailStatus } from './email.models';
export { EmailMessagesService, toEmailMessageView, type EmailMessageView, type EmailMessagesDeps } from './email-messages.service';
export { createEmailMessagesRouter } from './email-messages.routes';
