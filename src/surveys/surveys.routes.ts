import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget, signedIn } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { sendDownload } from '../http/download';
import type { FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { MEMBER_DICTIONARIES, MEMBER_FILTER_CHOICES } from '../members/member-views';
import { LEVEL_LABELS } from '../registry/levels';
import { formatDate } from '../shared/format';
import { XLSX_MIME } from '../shared/spreadsheet';
import {
  EXAMPLE_DEFINITION,
  QUESTION_KIND_LABELS,
  answerFields,
  fieldOf,
  questionsOf,
  readAnswers,
  visibleQuestions,
} from './survey-definition';
import { writeAnswersWorkbook } from './survey-xlsx';
import { TARGET_LEVELS, answerStep, memberFilterOf, surveyForm, type SurveyForm } from './surveys.schemas';
import { SurveyRefusal, answersFor, type SurveysService } from './surveys.service';

type SurveyRow = Awaited<ReturnType<SurveysService['own']>>;

/** The pages' own scripts (public/js): the builder on the edit page, live conditions on the answer pages. */
const BUILDER_SCRIPTS = ['js/survey-model.js', 'js/survey-builder.js'];
const ANSWER_SCRIPTS = ['js/survey-conditions.js'];

const VIEW = {
  section: 'registry',
  LEVEL_LABELS,
  TARGET_LEVELS,
  QUESTION_KIND_LABELS,
  fieldOf,
  ...MEMBER_DICTIONARIES,
  ...MEMBER_FILTER_CHOICES,
};

/** The form's fields as the survey keeps them: the member filter only for a member poll. */
function fieldsOf({ levels, ...form }: SurveyForm, body: unknown) {
  return {
    ...form,
    targetLevels: form.audience === 'organizations' ? levels : [],
    memberFilter: form.audience === 'members' ? memberFilterOf(body) : null,
  };
}

/** The builder's values: a survey's own, or the form sent back. */
function formValues(survey?: SurveyRow, body?: Record<string, unknown>) {
  if (body) return { ...body, levels: ([] as unknown[]).concat(body.levels ?? []) } as Record<string, unknown>;
  return survey
    ? {
        title: survey.title,
        description: survey.description,
        levels: survey.targetLevels,
        audience: survey.audience,
        anonymous: survey.anonymous,
        ...(survey.memberFilter ?? {}),
        opensOn: formatDate(survey.opensOn),
        closesOn: formatDate(survey.closesOn),
        definition: JSON.stringify(survey.definition, null, 2),
      }
    : { audience: 'organizations', levels: ['primary'], definition: JSON.stringify(EXAMPLE_DEFINITION, null, 2) };
}

/**
 * `/orgs/{inpo}/surveys`: surveys of organizations (issue #20 item 1). Coordinators and the federal
 * administrator build a questionnaire at their organization and publish it to the organizations of chosen
 * levels below; whoever answers for a target organization fills it in at `…/answer`; the survey's page shows
 * its results rolled up over the subtree of the organization it is opened at, and downloads every answer.
 */
export function surveysRoutes({ db, loaders, services: { surveys } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/surveys', can('org.view'), list);
  routes.get('/orgs/:inpo/surveys/new', can('survey.manage'), (req, res) => edit(req, res, 200, []));
  routes.post('/orgs/:inpo/surveys', can('survey.manage'), create);
  routes.get('/orgs/:inpo/surveys/:surveyId', can('survey.view'), show);
  routes.get('/orgs/:inpo/surveys/:surveyId/edit', can('survey.manage'), editExisting);
  routes.post('/orgs/:inpo/surveys/:surveyId', can('survey.manage'), update);
  routes.post('/orgs/:inpo/surveys/:surveyId/publish', can('survey.manage'), publish);
  routes.post('/orgs/:inpo/surveys/:surveyId/copy', can('survey.manage'), copy);
  routes.get('/orgs/:inpo/surveys/:surveyId/results.xlsx', can('survey.view'), download);
  routes.get('/orgs/:inpo/surveys/:surveyId/answer', can('survey.answer'), (req, res) => answerPage(req, res, 200, []));
  routes.post('/orgs/:inpo/surveys/:surveyId/answer', can('survey.answer'), answer);
  // member polls: the member's own answer from the personal account (a target of the poll, else 404)
  routes.get('/me/surveys/:surveyId', signedIn, (req, res) => memberPage(req, res, 200, []));
  routes.post('/me/surveys/:surveyId', signedIn, memberAnswer);
  return routes.router;

  async function list(req: Request, res: Response) {
    const org = orgOf(req);
    const principal = principalOf(req);
    const [built, sent] = await Promise.all([
      mayOnTarget(req, 'survey.view') ? surveys.list(org) : Promise.resolve(null),
      answersFor(principal, org.id) ? surveys.sentTo(org) : Promise.resolve(null),
    ]);
    res.render('surveys/list', {
      ...VIEW,
      title: `Опросы: ${org.name}`,
      org,
      built,
      sent,
      mayBuild: mayOnTarget(req, 'survey.manage'),
    });
  }

  async function edit(req: Request, res: Response, status: number, errors: FieldError[], survey?: SurveyRow) {
    const org = orgOf(req);
    res.status(status).render('surveys/edit', {
      ...VIEW,
      scripts: BUILDER_SCRIPTS,
      title: survey ? `Опрос: ${survey.title}` : `Новый опрос: ${org.name}`,
      org,
      survey: survey ?? null,
      values: formValues(survey, req.method === 'POST' ? req.body : undefined),
      example: JSON.stringify(EXAMPLE_DEFINITION, null, 2),
      // a published survey only gains options: the builder keeps the ones each question has
      lockedOptions:
        survey?.status === 'published'
          ? Object.fromEntries(questionsOf(survey.definition).map((q) => [q.id, 'options' in q ? q.options.length : 0]))
          : null,
      ...errorViewModel(errors),
    });
  }

  async function create(req: Request, res: Response) {
    const org = orgOf(req);
    const form = parseForm(surveyForm, req.body);
    if (!form.ok) return edit(req, res, 422, form.errors);
    const id = await surveys.create(org, principalOf(req), auditContextOf(req), fieldsOf(form.data, req.body));
    flash(req, 'success', 'Черновик опроса сохранён');
    res.redirect(303, `/orgs/${org.inpo}/surveys/${id}`);
  }

  async function editExisting(req: Request, res: Response) {
    const survey = await surveys.own(orgOf(req), idParam(req, 'surveyId'));
    await edit(req, res, 200, [], survey);
  }

  async function update(req: Request, res: Response) {
    const org = orgOf(req);
    const survey = await surveys.own(org, idParam(req, 'surveyId'));
    const form = parseForm(surveyForm, req.body);
    if (!form.ok) return edit(req, res, 422, form.errors, survey);
    try {
      await surveys.update(org, survey.id, auditContextOf(req), fieldsOf(form.data, req.body));
    } catch (err) {
      if (!(err instanceof SurveyRefusal)) throw err;
      return edit(req, res, 422, [{ field: err.field, message: err.message }], survey);
    }
    flash(req, 'success', survey.status === 'published' ? 'Варианты ответа добавлены' : 'Опрос сохранён');
    res.redirect(303, `/orgs/${org.inpo}/surveys/${survey.id}`);
  }

  async function show(req: Request, res: Response) {
    const org = orgOf(req);
    const survey = await surveys.visible(org, idParam(req, 'surveyId'));
    const results = survey.status === 'published' ? await surveys.results(org, survey) : null;
    res.render('surveys/show', {
      ...VIEW,
      title: `Опрос: ${survey.title}`,
      org,
      survey,
      results,
      mayChange: survey.organizationId === org.id && mayOnTarget(req, 'survey.manage'),
      values: {},
      shown: visibleQuestions(survey.definition, {}),
    });
  }

  async function publish(req: Request, res: Response) {
    const org = orgOf(req);
    const id = idParam(req, 'surveyId');
    try {
      const targets = await surveys.publish(org, id, principalOf(req), auditContextOf(req));
      flash(req, 'success', `Опрос опубликован: организаций-адресатов ${targets}`);
    } catch (err) {
      if (!(err instanceof SurveyRefusal)) throw err;
      flash(req, 'danger', err.message);
    }
    res.redirect(303, `/orgs/${org.inpo}/surveys/${id}`);
  }

  async function copy(req: Request, res: Response) {
    const org = orgOf(req);
    const id = await surveys.copy(org, idParam(req, 'surveyId'), principalOf(req), auditContextOf(req));
    flash(req, 'success', 'Копия опроса создана: это новый черновик');
    res.redirect(303, `/orgs/${org.inpo}/surveys/${id}/edit`);
  }

  async function download(req: Request, res: Response) {
    const org = orgOf(req);
    const survey = await surveys.visible(org, idParam(req, 'surveyId'));
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: `survey-${survey.id}-${org.inpo}.xlsx`,
      write: (sink) => writeAnswersWorkbook(db, survey, org, sink),
    });
  }

  async function answerPage(req: Request, res: Response, status: number, errors: FieldError[]) {
    const org = orgOf(req);
    const { survey, response, open } = await surveys.toAnswer(org, principalOf(req), idParam(req, 'surveyId'));
    const given = status === 200 ? (response?.answers ?? {}) : readAnswers(survey.definition, req.body, false).answers;
    res.status(status).render('surveys/answer', {
      ...VIEW,
      scripts: ANSWER_SCRIPTS,
      title: `Опрос: ${survey.title}`,
      org,
      survey,
      response: response ?? null,
      open,
      values: status === 200 ? answerFields(survey.definition, given) : req.body,
      shown: visibleQuestions(survey.definition, given),
      ...errorViewModel(errors),
    });
  }

  async function answer(req: Request, res: Response) {
    const org = orgOf(req);
    const principal = principalOf(req);
    const { survey } = await surveys.toAnswer(org, principal, idParam(req, 'surveyId'));
    const submit = answerStep.parse(req.body ?? {}).step === 'submit';
    try {
      const check = await surveys.answer(org, principal, survey, auditContextOf(req), req.body ?? {}, submit);
      if (check.errors.length) return answerPage(req, res, 422, check.errors);
    } catch (err) {
      if (!(err instanceof SurveyRefusal)) throw err;
      return answerPage(req, res, 422, [{ field: err.field, message: err.message }]);
    }
    flash(req, 'success', submit ? 'Ответы отправлены. Спасибо!' : 'Черновик ответов сохранён');
    res.redirect(303, `/orgs/${org.inpo}/surveys/${survey.id}/answer`);
  }

  async function memberPage(req: Request, res: Response, status: number, errors: FieldError[]) {
    const { survey, target, open } = await surveys.toAnswerAsMember(principalOf(req), idParam(req, 'surveyId'));
    // a fresh visit shows the saved draft; a form sent back shows what was sent
    const given =
      status === 200 ? (target.draft?.answers ?? {}) : readAnswers(survey.definition, req.body, false).answers;
    res.status(status).render('surveys/member-answer', {
      ...VIEW,
      scripts: ANSWER_SCRIPTS,
      section: 'me',
      title: `Опрос: ${survey.title}`,
      survey,
      answered: target.answered,
      draft: target.draft,
      open,
      values: status === 200 ? answerFields(survey.definition, given) : req.body,
      shown: visibleQuestions(survey.definition, given),
      ...errorViewModel(errors),
    });
  }

  async function memberAnswer(req: Request, res: Response) {
    const principal = principalOf(req);
    const { survey, target } = await surveys.toAnswerAsMember(principal, idParam(req, 'surveyId'));
    const submit = answerStep.parse(req.body ?? {}).step === 'submit';
    try {
      const body = req.body ?? {};
      const check = await surveys.answerAsMember(principal, survey, target, auditContextOf(req), body, submit);
      if (check.errors.length) return memberPage(req, res, 422, check.errors);
    } catch (err) {
      if (!(err instanceof SurveyRefusal)) throw err;
      return memberPage(req, res, 422, [{ field: err.field, message: err.message }]);
    }
    flash(req, 'success', submit ? 'Ответы отправлены. Спасибо!' : 'Черновик ответов сохранён');
    res.redirect(303, `/me/surveys/${survey.id}`);
  }
}
