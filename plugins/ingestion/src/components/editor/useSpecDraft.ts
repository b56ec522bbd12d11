import { useApi } from '@backstage/frontend-plugin-api';
import {
  formatPipelineSpecText,
  parsePipelineSpecText,
  validatePipelineSpec,
  type FieldProblem,
  type SpecProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { editorApiRef } from '../../api/EditorApi';
import { isRecord, mergeProblems, type SpecDraft } from './specDraft';

/** How long typing pauses before the server checks the draft. */
export const SERVER_CHECK_DELAY_MS = 500;

/** The editor's state: one draft, seen as a form and as YAML. */
export interface SpecDraftState {
  draft: SpecDraft;
  /** The YAML view's text; kept as typed while it parses. */
  text: string;
  /** Syntax errors of the YAML text (with their line); the form keeps the last valid draft. */
  yamlProblems: SpecProblem[];
  /** Problems of the draft: the client's schema check, the server's, and those a save returned. */
  problems: FieldProblem[];
  /** The server could not be asked (network, 5xx); problems are the client's only. */
  serverError?: Error;
  /** The server has checked this exact draft. */
  serverChecked: boolean;
  /** The draft differs from what the editor was opened with. */
  dirty: boolean;
  setDraft(draft: SpecDraft): void;
  setText(text: string): void;
  /** Problems a save or preview answered with, shown until the next edit. */
  setReported(problems: FieldProblem[]): void;
}

/**
 * Keeps the form and the YAML view in sync both ways: a form edit rewrites the YAML; YAML that
 * parses to a mapping replaces the draft, YAML that does not leaves the draft as it was and
 * reports its line. Every draft is checked at once by the common package's validator and, after
 * a pause in typing, by `POST /v1/specs/validate` in the organization (its catalogs and storage).
 */
export function useSpecDraft(
  initial: SpecDraft,
  organization?: string,
): SpecDraftState {
  const editorApi = useApi(editorApiRef);
  const [draft, setDraftValue] = useState(initial);
  const [text, setTextValue] = useState(() => formatPipelineSpecText(initial));
  const [yamlProblems, setYamlProblems] = useState<SpecProblem[]>([]);
  const [reported, setReported] = useState<FieldProblem[]>([]);
  const [server, setServer] = useState<{
    draft: SpecDraft;
    organization?: string;
    problems: FieldProblem[];
  }>();
  const [serverError, setServerError] = useState<Error>();
  const initialText = useMemo(() => formatPipelineSpecText(initial), [initial]);

  const setDraft = useCallback((next: SpecDraft) => {
    setDraftValue(next);
    setTextValue(formatPipelineSpecText(next));
    setYamlProblems([]);
    setReported([]);
  }, []);

  const setText = useCallback((next: string) => {
    setTextValue(next);
    setReported([]);
    const parsed = parsePipelineSpecText(next);
    if (!parsed.ok) {
      setYamlProblems(parsed.problems);
    } else if (!isRecord(parsed.value)) {
      setYamlProblems([
        {
          path: '',
          message:
            'the spec must be a mapping of keys (pipeline_type, source, target, …) to values',
        },
      ]);
    } else {
      setYamlProblems([]);
      setDraftValue(parsed.value);
    }
  }, []);

  const local = useMemo(() => {
    const result = validatePipelineSpec(draft);
    return result.valid ? [] : result.problems;
  }, [draft]);

  useEffect(() => {
    let current = true;
    const handle = setTimeout(() => {
      editorApi.validateSpec(draft, organization).then(
        result => {
          if (!current) return;
          setServerError(undefined);
          setServer({
            draft,
            organization,
            problems: result.valid ? [] : result.problems,
          });
        },
        error => {
          if (current) setServerError(error);
        },
      );
    }, SERVER_CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(handle);
    };
  }, [editorApi, draft, organization]);

  const serverChecked =
    server?.draft === draft && server.organization === organization;
  const problems = mergeProblems(
    local,
    serverChecked ? server?.problems : undefined,
    reported,
  );
  return {
    draft,
    text,
    yamlProblems,
    problems,
    serverError,
    serverChecked,
    dirty: formatPipelineSpecText(draft) !== initialText,
    setDraft,
    setText,
    setReported,
  };
}
