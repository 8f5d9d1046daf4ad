import type { ReactNode } from 'react';
import {
  type FormApi,
  ItemButtons,
  ListField,
  ListIssue,
  NumberField,
  SelectField,
  TextField,
} from './fields';
import type { T } from './labels';
import { fieldId, item, type Json, keyOf, moveItem, type Path } from './model';

// Script #2 (the script's optional `education` section, EducationScenarioSchema) as a form:
// the lesson's title and its stages in order, each with the main bot's lines, the disclosed
// assistant's posts and an optional assignment. Without the section the demo lesson runs.

const list = (v: Json): Json[] => (Array.isArray(v) ? v : []);
const KINDS = ['welcome', 'story', 'assignment', 'feedback', 'closing'] as const;

const blankAssignment = () => ({ task: '', keywords: [], minWords: 5, goodFeedback: '', retryFeedback: '' });

function Row({ children }: { children: ReactNode }) {
  return <div className="toolbar">{children}</div>;
}

export function EducationForm({ api, t }: { api: FormApi; t: T }) {
  const scenario = api.value.education;
  const buttons = { up: t('moveUp'), down: t('moveDown'), remove: t('remove') };

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

  const stages = list(scenario.stages);
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
        <ListIssue api={api} path={['education', 'stages']} />
        <ol className="sales-stages">
          {stages.map((stage: Json, i: number) => (
            <li key={keyOf(stage, i)}>
              <EducationStageEditor
                api={api}
                t={t}
                index={i}
                buttons={buttons}
                onMove={(to) => api.reshape(['education', 'stages'], moveItem(stages, i, to))}
                onRemove={() =>
                  api.reshape(
                    ['education', 'stages'],
                    stages.filter((_: Json, j: number) => j !== i),
                  )
                }
                count={stages.length}
              />
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="btn btn-small"
          onClick={() =>
            api.reshape(
              ['education', 'stages'],
              [
                ...stages,
                item({ id: `lesson-${stages.length + 1}`, kind: 'story', lines: [''], assistantPosts: [] }),
              ],
            )
          }
        >
          + {t('eduAddStage')}
        </button>
      </div>
    </fieldset>
  );
}

function EducationStageEditor({
  api,
  t,
  index: i,
  count,
  buttons,
  onMove,
  onRemove,
}: {
  api: FormApi;
  t: T;
  index: number;
  count: number;
  buttons: { up: string; down: string; remove: string };
  onMove(to: number): void;
  onRemove(): void;
}) {
  const at = (...rest: Path): Path => ['education', 'stages', i, ...rest];
  const stage = api.value.education.stages[i];
  const lines = list(stage.lines);
  const posts = list(stage.assistantPosts);
  const title = `${t('eduStage', { n: i + 1 })}: ${stage.id || '—'}`;
  const hasIssue = [...api.issues.keys()].some((k) => k.startsWith(`education.stages.${i}.`));

  return (
    <details
      className="card sales-stage"
      data-testid={`edu-stage-${i}`}
      open={i === 0 || hasIssue || undefined}
    >
      <summary className="card-header sales-stage-header" id={fieldId(at())}>
        <h3>{title}</h3>
        <span className="muted sales-goal">{stage.kind}</span>
      </summary>
      <div className="card-body">
        <ItemButtons
          what={title}
          index={i}
          count={count}
          onMove={onMove}
          onRemove={onRemove}
          labels={buttons}
        />
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
        <ListIssue api={api} path={at('lines')} />
        {lines.map((_: Json, j: number) => (
          <Row key={`line-${j}`}>
            <TextField api={api} path={at('lines', j)} label={t('line', { n: j + 1 })} multiline required />
            <ItemButtons
              what={t('line', { n: j + 1 })}
              index={j}
              count={lines.length}
              labels={buttons}
              onRemove={() =>
                api.reshape(
                  at('lines'),
                  lines.filter((_l: Json, k: number) => k !== j),
                )
              }
            />
          </Row>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => api.reshape(at('lines'), [...lines, ''])}
        >
          + {t('addLine')}
        </button>

        <h4>{t('eduPosts')}</h4>
        <p className="field-hint">{t('eduPostsHint')}</p>
        <ListIssue api={api} path={at('assistantPosts')} />
        {posts.map((post: Json, j: number) => (
          <div className="sales-item" key={keyOf(post, j)}>
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
            <ItemButtons
              what={t('eduPost', { n: j + 1 })}
              index={j}
              count={posts.length}
              labels={buttons}
              onMove={(to) => api.reshape(at('assistantPosts'), moveItem(posts, j, to))}
              onRemove={() =>
                api.reshape(
                  at('assistantPosts'),
                  posts.filter((_p: Json, k: number) => k !== j),
                )
              }
            />
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => api.reshape(at('assistantPosts'), [...posts, item({ kind: 'example', text: '' })])}
        >
          + {t('eduAddPost')}
        </button>

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
