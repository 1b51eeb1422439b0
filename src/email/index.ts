export { EmailMessageModel, EmailFanoutCursorModel, EMAIL_TEMPLATES, type EmailTemplate, type EmailStatus } from './email.models';
export type { AccountMail, AccountMailer, AccountMailRecipient } from './account-mail';
export { Email, type MailMetrics } from './email';
export { emailJobs } from './email.jobs';
export type { MailSources } from './mail-fanout';
export { EmailMessagesService, toEmailMessageView, type EmailMessageView, type EmailMessagesDeps } from './email-messages.service';
export { createEmailMessagesRouter } from './email-messages.routes';
