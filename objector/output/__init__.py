"""Output formats for a composed letter: text, HTML, PDF, e-mail, calendar, how-to sheet."""
