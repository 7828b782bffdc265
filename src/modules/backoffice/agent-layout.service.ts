import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { roleAllows, ROLE_LABELS } from '../agents/agent-roles';
import { AgentRole } from '../agents/entities/agent.entity';
import { SignedInAgent } from '../agents/signed-in-agent';

interface NavEntry {
  readonly label: string;
  readonly href: string;
  readonly role: AgentRole;
}

/** The header navigation; entries an agent's role cannot open are left out (the routes refuse them anyway). */
const NAV: readonly NavEntry[] = [
  { label: 'Dashboard', href: '/agent', role: 'agent' },
  { label: 'Appeals', href: '/agent/appeals', role: 'agent' },
  { label: 'Replies', href: '/agent/replies', role: 'agent' },
  { label: 'Accounts', href: '/agent/accounts', role: 'agent' },
  { label: 'Notifications', href: '/agent/notifications', role: 'agent' },
  { label: 'Audit', href: '/agent/audit', role: 'agent' },
  { label: 'Reports', href: '/agent/reports', role: 'supervisor' },
  { label: 'Queues', href: '/agent/queues', role: 'supervisor' },
  { label: 'Team', href: '/agent/team', role: 'admin' },
  { label: 'Me', href: '/agent/me', role: 'agent' },
];

/**
 * What every back-office page's layout needs, put in `res.locals` (Express merges it into every
 * render, error pages included): the area, the navigation with the current entry, the signed-in
 * agent and the sign-out form, the page's CSRF token (`{{> csrf}}` in a form) and the flash.
 * Page view models then carry only their own content and `title`.
 */
@Injectable()
export class AgentLayout {
  constructor(private readonly flash: FlashService) {}

  apply(request: Request, response: Response, agent: SignedInAgent): void {
    const csrf = csrfTokenFor(request);
    const path = request.path.replace(/\/+$/, '') || '/';
    Object.assign(response.locals, {
      area: 'agent',
      areaLabel: 'Back-office',
      homeHref: '/agent',
      wide: true,
      csrf,
      agent: { id: agent.id, name: agent.name, email: agent.email, role: agent.role, roleLabel: ROLE_LABELS[agent.role] },
      nav: NAV.filter((entry) => roleAllows(agent.role, entry.role)).map((entry) => ({
        label: entry.label,
        href: entry.href,
        current: entry.href === '/agent' ? path === '/agent' : path === entry.href || path.startsWith(`${entry.href}/`),
      })),
      signOut: { action: '/agent/logout', csrf, who: `${agent.name} · ${ROLE_LABELS[agent.role]}` },
      flash: this.flash.take(request, response),
      // The live queue, presence and keyboard; every page works without it.
      scripts: ['/static/js/agent-live.js'],
    });
  }

  /** The layout of the pages shown before sign-in: the area without navigation. */
  applySignedOut(response: Response): void {
    Object.assign(response.locals, { area: 'agent', areaLabel: 'Back-office', homeHref: '/agent/login' });
  }
}
