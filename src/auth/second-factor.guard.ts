import type { NextFunction, Request, Response } from 'express';
import { secondFactorRequired } from '../access/second-factor';

export const ENROLMENT_PATH = '/account/second-factor';
const ALLOWED_BEFORE_ENROLMENT = new Set([ENROLMENT_PATH, '/account/password', '/logout']);

/**
 * A user whose role requires a second factor and who has none is sent to enrolment and can do nothing else.
 * Read from the principal of each request, so a grant that brings the requirement applies at once.
 */
export function requireSecondFactor(enforced: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = req.user;
    if (
      !enforced ||
      !user ||
      user.secondFactorEnrolled ||
      !secondFactorRequired(user) ||
      ALLOWED_BEFORE_ENROLMENT.has(req.path)
    )
      return next();
    res.redirect(303, ENROLMENT_PATH);
  };
}
