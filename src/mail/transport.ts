/**
 * Sending mail: over SMTP when PAPERBOY_SMTP_URL is set (`smtp://user:pass@host:port`, STARTTLS when
 * the server offers it; `smtps://…` for TLS from the first byte), otherwise into the log, with a
 * notice saying the mail was not sent — so a development instance works without a mail server and
 * the sign-in link can be copied from the log.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

/** A mail to send: plain text always, HTML optionally, extra headers (List-Unsubscribe…) optionally. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/** What an SMTP server said when it accepted a mail (digests record the Message-ID). */
export interface SentInfo {
  messageId: string;
  /** The server's final reply, e.g. `250 2.0.0 OK`. */
  response: string;
}

/**
 * Something that sends mail; `kind` says whether it really leaves the machine. A refusal rejects with
 * nodemailer's error, which carries `responseCode` (e.g. 450, 550) when the server answered, and
 * `code` (ECONNECTION, ETIMEDOUT…) and `command` (CONN, MAIL FROM, RCPT TO, DATA…) otherwise.
 */
export interface Mailer {
  readonly kind: 'smtp' | 'log';
  /** Sends one mail; rejects when the server refuses it or cannot be reached. Real mailers resolve with SentInfo. */
  send(mail: OutgoingMail): Promise<SentInfo | void>;
  /** Closes pooled connections. */
  close(): void;
}

/** The notice written with every mail that goes to the log instead of a mail server. */
export const LOG_TRANSPORT_NOTICE = 'PAPERBOY_SMTP_URL is not set: this mail was NOT sent, it is written to the log instead (development only)';

/** An SMTP mailer for a `smtp://` or `smtps://` URL. */
export function smtpMailer(url: string, from: string, o: { pool?: boolean } = {}): Mailer {
  // Pooled connections for bulk sending (digests): one SMTP session carries many mails. With `url`,
  // nodemailer reads the pool settings from the URL's query only (options beside it are ignored).
  const pooled = o.pool ? `${url}${url.includes('?') ? '&' : '?'}pool=true&maxConnections=1&maxMessages=1000` : url;
  const transport = nodemailer.createTransport({
    url: pooled,
    // A slow or dead mail server must not hold a sign-in request for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as nodemailer.TransportOptions);
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers });
      return { messageId: String(info.messageId ?? ''), response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}

/** A mailer that writes each mail (text part, with its links) to the log at warn level. */
export function logMailer(log: Logger, from: string): Mailer {
  return {
    kind: 'log',
    async send(mail) {
      log.warn({ mail: { from, to: mail.to, subject: mail.subject, headers: mail.headers }, text: mail.text }, LOG_TRANSPORT_NOTICE);
    },
    close() {},
  };
}

/** The mailer the configuration asks for: SMTP with PAPERBOY_SMTP_URL, else the log. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, log: Logger): Mailer {
  return config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : logMailer(log, config.mailFrom);
}
