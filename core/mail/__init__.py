"""E-mails through an outbox: the OutgoingEmail row is the truth, the broker only a way to send it sooner.

Queuing writes the row in the caller's transaction and, once it commits, asks a worker to deliver it; a broker that
cannot take the task is logged and costs the request nothing. `email_sweep` (celery beat, every minute) delivers
whatever is due: never tried, or tried and past its backoff. An attempt is recorded (committed) before the message
is handed to the SMTP server, so a worker killed between the server's acceptance and the "sent" commit leads to one
more copy after the backoff, never to a lost message. Every copy is the same message: the content a kind generates
for a row (a provisional password) is made once, at the first attempt, and kept encrypted in the row until it is
sent; the Message-ID is fixed too. Guarantee: « au moins une fois, jamais deux contenus différents ».

Two queues: an e-mail is bulk when its kind says so (the reminders) or when it is queued inside `bulk_emails()` (the
bulk import's identifiants and provisional passwords); bulk e-mails go through the bulk queue, rate-limited, and the
others (mot de passe oublié, identifiant asked for, confirmation links, security notices) never wait behind them.

The modules import one way, so the queue and the tasks are no circle:
`queue` (email_queue, bulk_emails, emails_resend) -> `tasks` (Celery) -> `delivery` (one attempt, the sweep)
-> `kinds` (register_email_kind) and `models` (OutgoingEmail). An app registers its kinds and queues its e-mails;
what it journals (a resend by an agent) it journals itself: core imports no app of ours.
"""
