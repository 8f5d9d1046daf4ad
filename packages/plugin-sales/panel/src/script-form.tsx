import type { ReactNode } from 'react';
import { EducationForm } from './education-form';
import {
  CheckField,
  type FormApi,
  ItemButtons,
  ListField,
  ListIssue,
  NumberField,
  SelectField,
  TextField,
} from './fields';
import type { T } from './labels';
import { blankStage, fieldId, item, type Json, keyOf, moveItem, type Path } from './model';

const list = (v: Json): Json[] => (Array.isArray(v) ? v : []);

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <fieldset className="card sales-section" data-testid={testId}>
      <legend className="card-header">
        <h2>{title}</h2>
      </legend>
      <div className="card-body">{children}</div>
    </fieldset>
  );
}

function Row({ children }: { children: ReactNode }) {
  return <div className="toolbar">{children}</div>;
}

/** The whole definition as a form: general fields, product facts, stages in order, triggers. */
export function ScriptForm({ api, t }: { api: FormApi; t: T }) {
  const v = api.value;
  const stages = list(v.stages);
  const stageOptions = stages.map((s: Json) => ({ value: String(s.id ?? ''), label: String(s.id ?? '') }));
  const buttons = { up: t('moveUp'), down: t('moveDown'), remove: t('remove') };
  const facts = list(v.product?.facts);
  const triggers = list(v.triggers);

  return (
    <div data-testid="script-form">
      <Section title={t('general')}>
        <Row>
          <TextField api={api} path={['name']} label={t('name')} required />
          <SelectField
            api={api}
            path={['language']}
            label={t('language')}
            options={[
              { value: 'en', label: 'English' },
              { value: 'ru', label: 'Русский' },
            ]}
          />
          <SelectField api={api} path={['startStage']} label={t('startStage')} options={stageOptions} />
          <TextField api={api} path={['product', 'name']} label={t('productName')} required />
        </Row>
        <h3>{t('facts')}</h3>
        <ListIssue api={api} path={['product', 'facts']} />
        {facts.map((fact: Json, i: number) => (
          <Row key={keyOf(fact, i)}>
            <TextField api={api} path={['product', 'facts', i, 'key']} label={t('factKey')} required narrow />
            <TextField api={api} path={['product', 'facts', i, 'text']} label={t('factText')} required />
            <ItemButtons
              what={String(fact.key || i + 1)}
              index={i}
              count={facts.length}
              labels={buttons}
              onRemove={() =>
                api.reshape(
                  ['product', 'facts'],
                  facts.filter((_: Json, j: number) => j !== i),
                )
              }
            />
          </Row>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => api.reshape(['product', 'facts'], [...facts, item({ key: '', text: '' })])}
        >
          + {t('addFact')}
        </button>
      </Section>

      <h2 className="sales-heading">{t('stages')}</h2>
      <ListIssue api={api} path={['stages']} />
      <ol className="sales-stages">
        {stages.map((stage: Json, i: number) => (
          <li key={keyOf(stage, i)}>
            <StageEditor
              api={api}
              t={t}
              index={i}
              count={stages.length}
              stageOptions={stageOptions}
              onMove={(to) => api.reshape(['stages'], moveItem(stages, i, to))}
              onRemove={() =>
                api.reshape(
                  ['stages'],
                  stages.filter((_: Json, j: number) => j !== i),
                )
              }
            />
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="btn"
        onClick={() => api.reshape(['stages'], [...stages, blankStage(stages.length + 1)])}
      >
        + {t('addStage')}
      </button>

      <Section title={t('triggers')} testId="triggers">
        <ListIssue api={api} path={['triggers']} />
        {triggers.map((trigger: Json, i: number) => (
          <div className="sales-item toolbar" key={keyOf(trigger, i)}>
            <SelectField
              api={api}
              path={['triggers', i, 'on']}
              label={t('triggerOn')}
              options={[
                { value: 'consent', label: t('onConsent') },
                { value: 'keyword', label: t('onKeyword') },
                { value: 'stop', label: t('onStop') },
                { value: 'silence', label: t('onSilence') },
              ]}
              onChange={(on) => api.set(['triggers', i], triggerOf(on, trigger))}
            />
            {trigger.on === 'silence' && (
              <>
                <NumberField
                  api={api}
                  path={['triggers', i, 'afterHours']}
                  label={t('afterHours')}
                  step="0.5"
                />
                <TextField
                  api={api}
                  path={['triggers', i, 'text']}
                  label={t('followUpText')}
                  multiline
                  required
                />
              </>
            )}
            {(trigger.on === 'keyword' || trigger.on === 'stop') && (
              <ListField api={api} path={['triggers', i, 'keywords']} label={t('keywords')} />
            )}
            {trigger.on === 'keyword' && (
              <SelectField
                api={api}
                path={['triggers', i, 'stage']}
                label={t('stageTarget')}
                options={stageOptions}
              />
            )}
            <ItemButtons
              what={t('trigger', { n: i + 1 })}
              index={i}
              count={triggers.length}
              labels={buttons}
              onRemove={() =>
                api.reshape(
                  ['triggers'],
                  triggers.filter((_: Json, j: number) => j !== i),
                )
              }
            />
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() =>
            api.reshape(['triggers'], [...triggers, item({ on: 'stop', action: 'end', keywords: [] })])
          }
        >
          + {t('addTrigger')}
        </button>
      </Section>

      <EducationForm api={api} t={t} />
    </div>
  );
}

/** A trigger switched to another kind keeps its key and keywords; the action follows the kind. */
function triggerOf(on: string, old: Json): Json {
  const base = { __key: old.__key };
  if (on === 'consent') return { ...base, on, action: 'education' };
  if (on === 'silence')
    return { ...base, on, action: 'follow_up', afterHours: old.afterHours ?? 24, text: old.text ?? '' };
  if (on === 'keyword')
    return { ...base, on, action: 'goto', keywords: old.keywords ?? [], stage: old.stage ?? '' };
  return { ...base, on, action: 'end', keywords: old.keywords ?? [] };
}

function StageEditor({
  api,
  t,
  index: i,
  count,
  stageOptions,
  onMove,
  onRemove,
}: {
  api: FormApi;
  t: T;
  index: number;
  count: number;
  stageOptions: Array<{ value: string; label: string }>;
  onMove(to: number): void;
  onRemove(): void;
}) {
  const at = (...rest: Path): Path => ['stages', i, ...rest];
  const stage = api.value.stages[i];
  const lines = list(stage.lines);
  const objections = list(stage.objections);
  const transitions = list(stage.transitions);
  const questions = list(stage.questionnaire?.questions);
  const buttons = { up: t('moveUp'), down: t('moveDown'), remove: t('remove') };
  const title = `${t('stage', { n: i + 1 })}: ${stage.id || '—'}`;

  const prefix = `stages.${i}.`;
  const hasIssue = [...api.issues.keys()].some((k) => k.startsWith(prefix));

  // Collapsed but the first: a script has many stages. A stage with an issue opens.
  return (
    <details className="card sales-stage" data-testid={`stage-${i}`} open={i === 0 || hasIssue || undefined}>
      <summary className="card-header sales-stage-header" id={fieldId(['stages', i])}>
        <h3>{title}</h3>
        <span className="muted sales-goal">{stage.goal}</span>
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
          <CheckField api={api} path={at('education')} label={t('education')} />
          <CheckField api={api} path={at('final')} label={t('final')} />
        </Row>
        <TextField api={api} path={at('goal')} label={t('goal')} multiline required />
        <TextField api={api} path={at('keyMessage')} label={t('keyMessage')} multiline required />

        <h4>{t('lines')}</h4>
        <ListIssue api={api} path={at('lines')} />
        {lines.map((_: Json, j: number) => (
          // Lines are plain strings: they are added and removed, not moved, so the index is their key.
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

        <h4>{t('objections')}</h4>
        <ListIssue api={api} path={at('objections')} />
        {objections.map((o: Json, j: number) => (
          <div className="sales-item" key={keyOf(o, j)}>
            <Row>
              <TextField
                api={api}
                path={at('objections', j, 'id')}
                label={t('objectionId')}
                required
                narrow
              />
              <ListField api={api} path={at('objections', j, 'keywords')} label={t('keywords')} />
            </Row>
            <TextField api={api} path={at('objections', j, 'reply')} label={t('reply')} multiline required />
            <ItemButtons
              what={String(o.id || j + 1)}
              index={j}
              count={objections.length}
              labels={buttons}
              onRemove={() =>
                api.reshape(
                  at('objections'),
                  objections.filter((_o: Json, k: number) => k !== j),
                )
              }
            />
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() =>
            api.reshape(at('objections'), [...objections, item({ id: '', keywords: [], reply: '' })])
          }
        >
          + {t('addObjection')}
        </button>

        <h4>{t('transitions')}</h4>
        <ListIssue api={api} path={at('transitions')} />
        {transitions.map((tr: Json, j: number) => (
          <div className="sales-item" key={keyOf(tr, j)}>
            <Row>
              <SelectField
                api={api}
                path={at('transitions', j, 'to')}
                label={t('to')}
                options={stageOptions}
              />
              <TextField api={api} path={at('transitions', j, 'reason')} label={t('reason')} />
            </Row>
            <p className="field-hint">{t('when')}</p>
            <Row>
              <ListField api={api} path={at('transitions', j, 'when', 'intents')} label={t('intents')} />
              <ListField api={api} path={at('transitions', j, 'when', 'keywords')} label={t('keywords')} />
              <NumberField
                api={api}
                path={at('transitions', j, 'when', 'minTurns')}
                label={t('minTurns')}
                step="1"
              />
            </Row>
            <Row>
              <CheckField api={api} path={at('transitions', j, 'when', 'consent')} label={t('consent')} />
              <CheckField
                api={api}
                path={at('transitions', j, 'when', 'questionnaireDone')}
                label={t('questionnaireDone')}
              />
              <CheckField api={api} path={at('transitions', j, 'when', 'always')} label={t('always')} />
            </Row>
            <ItemButtons
              what={`${t('to')} ${tr.to || j + 1}`}
              index={j}
              count={transitions.length}
              labels={buttons}
              onMove={(to) => api.reshape(at('transitions'), moveItem(transitions, j, to))}
              onRemove={() =>
                api.reshape(
                  at('transitions'),
                  transitions.filter((_x: Json, k: number) => k !== j),
                )
              }
            />
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => api.reshape(at('transitions'), [...transitions, item({ to: '', when: {} })])}
        >
          + {t('addTransition')}
        </button>

        <h4>{t('questionnaire')}</h4>
        {stage.questionnaire ? (
          <div className="sales-item">
            <Row>
              <TextField
                api={api}
                path={at('questionnaire', 'id')}
                label={t('questionnaireId')}
                required
                narrow
              />
              <button
                type="button"
                className="btn btn-small btn-danger"
                onClick={() => api.reshape(at('questionnaire'), undefined)}
              >
                {t('removeQuestionnaire')}
              </button>
            </Row>
            <ListIssue api={api} path={at('questionnaire', 'questions')} />
            {questions.map((q: Json, j: number) => (
              <Row key={keyOf(q, j)}>
                <TextField
                  api={api}
                  path={at('questionnaire', 'questions', j, 'id')}
                  label={t('questionId')}
                  required
                  narrow
                />
                <TextField
                  api={api}
                  path={at('questionnaire', 'questions', j, 'text')}
                  label={t('questionText')}
                  required
                />
                <ListField
                  api={api}
                  path={at('questionnaire', 'questions', j, 'options')}
                  label={t('options')}
                />
                <ItemButtons
                  what={t('question', { n: j + 1 })}
                  index={j}
                  count={questions.length}
                  labels={buttons}
                  onMove={(to) => api.reshape(at('questionnaire', 'questions'), moveItem(questions, j, to))}
                  onRemove={() =>
                    api.reshape(
                      at('questionnaire', 'questions'),
                      questions.filter((_q: Json, k: number) => k !== j),
                    )
                  }
                />
              </Row>
            ))}
            <button
              type="button"
              className="btn btn-small"
              onClick={() =>
                api.reshape(at('questionnaire', 'questions'), [...questions, item({ id: '', text: '' })])
              }
            >
              + {t('addQuestion')}
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            onClick={() =>
              api.reshape(at('questionnaire'), {
                id: `${stage.id || 'stage'}-questions`,
                questions: [item({ id: '', text: '' })],
              })
            }
          >
            + {t('addQuestionnaire')}
          </button>
        )}

        <h4>{t('followUp')}</h4>
        {stage.followUp ? (
          <Row>
            <NumberField api={api} path={at('followUp', 'afterHours')} label={t('afterHours')} step="0.5" />
            <TextField api={api} path={at('followUp', 'text')} label={t('followUpText')} multiline required />
            <button
              type="button"
              className="btn btn-small btn-danger"
              onClick={() => api.reshape(at('followUp'), undefined)}
            >
              {t('removeFollowUp')}
            </button>
          </Row>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => api.reshape(at('followUp'), { afterHours: 24, text: '' })}
          >
            + {t('addFollowUp')}
          </button>
        )}
      </div>
    </details>
  );
}
