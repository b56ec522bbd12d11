export interface Config {
  app?: {
    /**
     * Which sign-in page the portal shows: `demo` (pick a demo user; development only) or
     * `github`. Defaults to `demo`.
     * @visibility frontend
     */
    signInProvider?: 'demo' | 'github';
  };
}
