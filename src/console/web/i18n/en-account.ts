import type { itAccount } from './it-account';

/** Account recovery, in English: spread into ./en.ts; a missing key fails make lint. */
export const enAccount: Record<keyof typeof itAccount, string> = {
  'signIn.forgot': 'Forgot your password?',
  'reset.pageTitle': 'QuickStock — reset your password',
  'reset.heading': 'Reset your password',
  'reset.requestTitle': 'Forgot your password?',
  'reset.requestIntro': 'Enter the email of your QuickStock account: we will send you a link to choose a new password. The link works once, for 30 minutes.',
  'reset.email': 'Email',
  'reset.requestSubmit': 'Send me the link',
  'reset.requestSent':
    'If the address belongs to a QuickStock account, an email with the link is on its way. Check your spam folder too. The link works for 30 minutes.',
  'reset.chooseTitle': 'Choose a new password',
  'reset.chooseIntro': 'Every open session of your account will be closed.',
  'reset.newPassword': 'New password',
  'reset.passwordHelp': 'At least 12 characters; common or repetitive passwords are refused.',
  'reset.repeatPassword': 'Repeat the new password',
  'reset.chooseSubmit': 'Save the new password',
  'reset.mismatch': 'The two passwords do not match.',
  'reset.doneTitle': 'Password changed',
  'reset.doneText': 'The new password is active and every open session was closed. Sign in with the new password.',
  'reset.toSignIn': 'Go to sign-in',
  'reset.askAgain': 'Ask for a new link',
  'reset.backToSignIn': 'Back to sign-in',
  'problem.invalid-reset-token': 'The link is not valid: it was already used, replaced by a newer one, or it expired. Ask for a new one.',
  'problem.current-password-wrong': 'The current password is wrong.',
  'problem.rate-limited': 'Too many requests: wait a few minutes and try again.',
  'field.newPassword': 'new password',
  'field.token': 'link',
  'fieldError.weakPassword': 'too easy to guess (common, repetitive or blank)',
};
