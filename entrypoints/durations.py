"""The longest duration a setting or a command's option takes, in one place for both (kept free
of imports: the CLI's command modules load it at startup)."""

MOST_SECONDS = 10 * 365 * 24 * 3600
"""Ten years, far past any use: `inf` or `1e300` passed `gt=0` and then overflowed the date
arithmetic they feed (`now + timedelta(...)`) as an "unexpected OverflowError" in whichever
command first used them."""
MOST_HOURS = MOST_SECONDS // 3600
