import { html, oneLine, type SafeHtml } from './html';

/** A mail ready to send: a subject (one line) and its HTML and plain-text parts. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

const FOOTER_TEXT = 'QuickStock — forniture per ufficio';

/**
 * The whole mail: an HTML document of plain tables and inline styles (what mail clients render
 * alike) and its plain-text twin. The subject is one line whatever the values in it hold.
 */
export function mail(parts: { subject: string; heading: string; body: SafeHtml; text: string[]; footnote?: string }): RenderedMail {
  const subject = oneLine(parts.subject);
  const document = html`<!doctype html>
    <html lang="it">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0;">
          <tr>
            <td align="center">
              <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:6px;">
                <tr>
                  <td style="padding:20px 28px;border-bottom:3px solid #1f6feb;font-size:20px;font-weight:bold;">QuickStock</td>
                </tr>
                <tr>
                  <td style="padding:24px 28px;font-size:15px;line-height:1.5;">
                    <h1 style="font-size:20px;margin:0 0 16px;">${parts.heading}</h1>
                    ${parts.body}
                  </td>
                </tr>
                <tr>
                  <td style="padding:16px 28px;font-size:12px;color:#6b7280;border-top:1px solid #e5e7eb;">
                    ${parts.footnote ?? ''}${parts.footnote ? html`<br />` : ''}${FOOTER_TEXT}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html> `;
  const text = [...parts.text, '', '--', ...(parts.footnote ? [parts.footnote] : []), FOOTER_TEXT, ''].join('\n');
  return { subject, html: document.value, text };
}

/** A paragraph. */
export function p(content: SafeHtml | string): SafeHtml {
  return html`<p style="margin:0 0 14px;">${content}</p>`;
}

/** A button-like link (only ever given an https: or configured URL). */
export function button(href: string, label: string): SafeHtml {
  return html`<p style="margin:20px 0;">
    <a href="${href}" style="display:inline-block;background:#1f6feb;color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:4px;font-weight:bold;"
      >${label}</a
    >
  </p>`;
}

/** An amount that never breaks across lines. */
export function amount(text: string): SafeHtml {
  return html`<span style="white-space:nowrap;">${text}</span>`;
}
