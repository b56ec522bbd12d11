export interface Config {
  ingestion?: {
    scaffolder?: {
      /**
       * Where the pipeline templates this package registers in the catalog publish the
       * pipeline's repository: `local` (the default) with `ingestion:repo:publish`, a bare
       * repository in the organization's storage; `github` or `gitlab` with the built-in
       * `publish:github` / `publish:gitlab` (the template asks for the repository with
       * RepoUrlPicker; the portal needs that integration and its scaffolder module).
       */
      publish?: 'local' | 'github' | 'gitlab';
    };
  };
}
