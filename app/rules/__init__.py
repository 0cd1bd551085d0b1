"""The county's rules of time: the official holiday calendar (holidays and 调休 make-up
working days, per year) and the time limits and mediation attempts, both kept as data that the
county administrator changes from the admin pages, every change audited."""
