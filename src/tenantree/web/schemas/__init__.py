"""Input schemas the API and the console both accept (the console validates its
forms with them), and the field types they are made of."""
