// The member's own card and history, read as the members feature stores them (a repo may build on another's).
export { findMember, findOwnPrimary, lockMember, memberTimeline } from '../members/members.repo';
