"""Officers: their accounts, their sign-ins, what each role may do, and signing in."""
