import type { ReactNode } from 'react';
import { type FormApi, ListField, NumberField, SelectField, TextField, useOpenWhen } from './fields';
import type { T } from './labels';
import { ListEditor } from './list-editor';
import { fieldId, item, type Json, type Path } from './model';

// Script #2 (the script's optional `education` section, EducationScenarioSchema) as a form:
// the lesson's title and its stages in order, each with the main bot's lines, the disclosed
// assistant's posts and an optional assignment. Without the section the demo lesson runs.

const KINDS = ['welcome', 'story', 'assignment', 'feedback', 'closing'] as const;

const blankAssignment = () => ({ task: '', keywords: [], minWords: 5, goodFeedback: '', retryFeedback: '' });

function Row({ children }: { children: ReactNode }) {
  return <div className="toolbar">{children}</div>;
}

export function EducationForm({ api, t }: { api: FormApi; t: T }) {
  const scenario = api.value.education;
  if (!scenario)
    return (
      <fieldset className="card sales-section" data-testid="education-form">
        <legend className="card-header">
          <h2>{t('eduLesson')}</h2>
        </legend>
        <div className="card-body">
          <p className="field-hint">{t('eduDemoHint')}</p>
          <button
            type="button"
            className="btn btn-small"
            onClick={() =>
              api.reshape(['education'], {
                title: '',
                stages: [item({ id: 'welcome', kind: 'welcome', lines: [''], assistantPosts: [] })],
              })
            }
          >
            + {t('eduAdd')}
          </button>
        </div>
      </fieldset>
    );

  return (
    <fieldset className="card sales-section" data-testid="education-form">
      <legend className="card-header">
        <h2>{t('eduLesson')}</h2>
      </legend>
      <div className="card-body">
        <Row>
          <TextField api={api} path={['education', 'title']} label={t('eduTitle')} required />
          <button
            type="button"
            className="btn btn-small btn-danger"
            onClick={() => api.reshape(['education'], undefined)}
          >
            {t('eduRemove')}
          </button>
        </Row>
        <ListEditor
          api={api}
          t={t}
          path={['education', 'stages']}
          layout="ordered"
          movable
          empty={(n) => item({ id: `lesson-${n + 1}`, kind: 'story', lines: [''], assistantPosts: [] })}
          addLabel={t('eduAddStage')}
          what={(stage, i) => stageTitle(t, stage, i)}
        >
          {(_stage, i, buttons) => <EducationStageEditor api={api} t={t} index={i} buttons={buttons} />}
        </ListEditor>
      </div>
    </fieldset>
  );
}

const stageTitle = (t: T, stage: Json, i: number) => `${t('eduStage', { n: i + 1 })}: ${stage.id || '—'}`;

function EducationStageEditor({
  api,
  t,
  index: i,
  buttons,
}: {
  api: FormApi;
  t: T;
  index: number;
  /** Up, down and remove for this stage. */
  buttons: ReactNode;
}) {
  const at = (...rest: Path): Path => ['education', 'stages', i, ...rest];
  const stage = api.value.education.stages[i];
  const title = stageTitle(t, stage, i);
  const hasIssue = [...api.issues.keys()].some((k) => k.startsWith(`education.stages.${i}.`));
  // The first stage starts open (a script has many); a stage with an issue opens.
  const details = useOpenWhen(i === 0 || hasIssue);

  return (
    <details className="card sales-stage" data-testid={`edu-stage-${i}`} ref={details}>
      <summary className="card-header sales-stage-header" id={fieldId(at())}>
        <h3>{title}</h3>
        <span className="muted sales-goal">{stage.kind}</span>
      </summary>
      <div className="card-body">
        {buttons}
        <Row>
          <TextField api={api} path={at('id')} label={t('stageId')} required narrow />
          <SelectField
            api={api}
            path={at('kind')}
            label={t('eduKind')}
            options={KINDS.map((k) => ({ value: k, label: t(`eduKind_${k}`) }))}
            onChange={(kind) =>
              api.set(at(), {
                ...stage,
                kind,
                // The server requires an assignment on an assignment stage: start one.
                ...(kind === 'assignment' && !stage.assignment ? { assignment: blankAssignment() } : {}),
              })
            }
          />
        </Row>

        <h4>{t('eduLines')}</h4>
        <ListEditor
          api={api}
          t={t}
          path={at('lines')}
          layout="row"
          empty={() => ''}
          addLabel={t('addLine')}
          what={(_line, j) => t('line', { n: j + 1 })}
        >
          {(_line, j, buttons) => (
            <>
              <TextField api={api} path={at('lines', j)} label={t('line', { n: j + 1 })} multiline required />
              {buttons}
            </>
          )}
        </ListEditor>

        <h4>{t('eduPosts')}</h4>
        <p className="field-hint">{t('eduPostsHint')}</p>
        <ListEditor
          api={api}
          t={t}
          path={at('assistantPosts')}
          movable
          empty={() => item({ kind: 'example', text: '' })}
          addLabel={t('eduAddPost')}
          what={(_post, j) => t('eduPost', { n: j + 1 })}
        >
          {(post, j, buttons) => (
            <>
              <SelectField
                api={api}
                path={at('assistantPosts', j, 'kind')}
                label={t('eduPostKind')}
                options={[
                  { value: 'example', label: t('eduPostExample') },
                  { value: 'question', label: t('eduPostQuestion') },
                ]}
              />
              <TextField
                api={api}
                path={at('assistantPosts', j, 'text')}
                label={t('eduPostText')}
                multiline
                required
              />
              {post.kind === 'question' && (
                <TextField
                  api={api}
                  path={at('assistantPosts', j, 'answer')}
                  label={t('eduPostAnswer')}
                  multiline
                  optional
                />
              )}
              {buttons}
            </>
          )}
        </ListEditor>

        <h4>{t('eduAssignment')}</h4>
        {stage.assignment ? (
          <div className="sales-item" data-testid={`edu-assignment-${i}`}>
            <TextField api={api} path={at('assignment', 'task')} label={t('eduTask')} multiline required />
            <Row>
              <ListField api={api} path={at('assignment', 'keywords')} label={t('keywords')} />
              <NumberField api={api} path={at('assignment', 'minWords')} label={t('eduMinWords')} step="1" />
              <NumberField
                api={api}
                path={at('assignment', 'maxAttempts')}
                label={t('eduMaxAttempts')}
                step="1"
              />
            </Row>
            <TextField
              api={api}
              path={at('assignment', 'goodFeedback')}
              label={t('eduGoodFeedback')}
              multiline
              required
            />
            <TextField
              api={api}
              path={at('assignment', 'retryFeedback')}
              label={t('eduRetryFeedback')}
              multiline
              required
            />
            <TextField api={api} path={at('assignment', 'hint')} label={t('eduHint')} multiline optional />
            <button
              type="button"
              className="btn btn-small btn-danger"
              onClick={() => api.reshape(at('assignment'), undefined)}
            >
              {t('eduRemoveAssignment')}
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => api.reshape(at('assignment'), blankAssignment())}
          >
            + {t('eduAddAssignment')}
          </button>
        )}
      </div>
    </details>
  );
}
