export { EmailMessageModel, EmailFanoutCursorModel, EMAIL_TEMPLATES, type EmailTemplate, type EmailStatus } from './email.models';
export type { AccountMailer, AccountMail, AccountMailRecipient } from './account-mail';
