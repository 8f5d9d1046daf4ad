import type { ReactNode } from 'react';
import { EducationForm } from './education-form';
import {
  CheckField,
  type FormApi,
  ListField,
  NumberField,
  SelectField,
  TextField,
  useOpenWhen,
} from './fields';
import type { T } from './labels';
import { ListEditor } from './list-editor';
import { blankStage, fieldId, item, type Json, type Path } from './model';

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
        <ListEditor
          api={api}
          t={t}
          path={['product', 'facts']}
          layout="row"
          empty={() => item({ key: '', text: '' })}
          addLabel={t('addFact')}
          what={(fact, i) => String(fact.key || i + 1)}
        >
          {(_fact, i, buttons) => (
            <>
              <TextField
                api={api}
                path={['product', 'facts', i, 'key']}
                label={t('factKey')}
                required
                narrow
              />
              <TextField api={api} path={['product', 'facts', i, 'text']} label={t('factText')} required />
              {buttons}
            </>
          )}
        </ListEditor>
      </Section>

      <h2 className="sales-heading">{t('stages')}</h2>
      <ListEditor
        api={api}
        t={t}
        path={['stages']}
        layout="ordered"
        movable
        addClassName="btn"
        empty={(n) => blankStage(n + 1)}
        addLabel={t('addStage')}
        what={(stage, i) => stageTitle(t, stage, i)}
      >
        {(_stage, i, buttons) => (
          <StageEditor api={api} t={t} index={i} stageOptions={stageOptions} buttons={buttons} />
        )}
      </ListEditor>

      <Section title={t('triggers')} testId="triggers">
        <ListEditor
          api={api}
          t={t}
          path={['triggers']}
          layout="item-row"
          empty={() => item({ on: 'stop', action: 'end', keywords: [] })}
          addLabel={t('addTrigger')}
          what={(_trigger, i) => t('trigger', { n: i + 1 })}
        >
          {(trigger, i, buttons) => (
            <>
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
              {buttons}
            </>
          )}
        </ListEditor>
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

const stageTitle = (t: T, stage: Json, i: number) => `${t('stage', { n: i + 1 })}: ${stage.id || '—'}`;

function StageEditor({
  api,
  t,
  index: i,
  stageOptions,
  buttons,
}: {
  api: FormApi;
  t: T;
  index: number;
  stageOptions: Array<{ value: string; label: string }>;
  /** Up, down and remove for this stage. */
  buttons: ReactNode;
}) {
  const at = (...rest: Path): Path => ['stages', i, ...rest];
  const stage = api.value.stages[i];
  const title = stageTitle(t, stage, i);

  const prefix = `stages.${i}.`;
  const hasIssue = [...api.issues.keys()].some((k) => k.startsWith(prefix));
  // The first stage starts open (a script has many); a stage with an issue opens.
  const details = useOpenWhen(i === 0 || hasIssue);

  return (
    <details className="card sales-stage" data-testid={`stage-${i}`} ref={details}>
      <summary className="card-header sales-stage-header" id={fieldId(['stages', i])}>
        <h3>{title}</h3>
        <span className="muted sales-goal">{stage.goal}</span>
      </summary>
      <div className="card-body">
        {buttons}
        <Row>
          <TextField api={api} path={at('id')} label={t('stageId')} required narrow />
          <CheckField api={api} path={at('education')} label={t('education')} />
          <CheckField api={api} path={at('final')} label={t('final')} />
        </Row>
        <TextField api={api} path={at('goal')} label={t('goal')} multiline required />
        <TextField api={api} path={at('keyMessage')} label={t('keyMessage')} multiline required />

        <h4>{t('lines')}</h4>
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

        <h4>{t('objections')}</h4>
        <ListEditor
          api={api}
          t={t}
          path={at('objections')}
          empty={() => item({ id: '', keywords: [], reply: '' })}
          addLabel={t('addObjection')}
          what={(o, j) => String(o.id || j + 1)}
        >
          {(_o, j, buttons) => (
            <>
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
              <TextField
                api={api}
                path={at('objections', j, 'reply')}
                label={t('reply')}
                multiline
                required
              />
              {buttons}
            </>
          )}
        </ListEditor>

        <h4>{t('transitions')}</h4>
        <ListEditor
          api={api}
          t={t}
          path={at('transitions')}
          movable
          empty={() => item({ to: '', when: {} })}
          addLabel={t('addTransition')}
          what={(tr, j) => `${t('to')} ${tr.to || j + 1}`}
        >
          {(_tr, j, buttons) => (
            <>
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
              {buttons}
            </>
          )}
        </ListEditor>

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
            <ListEditor
              api={api}
              t={t}
              path={at('questionnaire', 'questions')}
              layout="row"
              movable
              empty={() => item({ id: '', text: '' })}
              addLabel={t('addQuestion')}
              what={(_q, j) => t('question', { n: j + 1 })}
            >
              {(_q, j, buttons) => (
                <>
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
                  {buttons}
                </>
              )}
            </ListEditor>
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
