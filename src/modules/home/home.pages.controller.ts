import { Controller, Get, Param, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NotFoundError } from '../../common/errors/domain-error';
import { PROBLEMS, ProblemCode, problemSlug } from '../../common/errors/problem-codes';

@ApiExcludeController()
@Controller()
export class HomePagesController {
  @Get()
  @Render('home')
  home() {
    return { title: 'Welcome' };
  }

  /** The page behind every problem document's `type`. */
  @Get('problems/:slug')
  @Render('problem')
  problem(@Param('slug') slug: string) {
    const code = (Object.keys(PROBLEMS) as ProblemCode[]).find((candidate) => problemSlug(candidate) === slug);
    if (!code) throw new NotFoundError('There is no such problem type.');
    return { title: PROBLEMS[code].title, problemTitle: PROBLEMS[code].title, code, status: PROBLEMS[code].status };
  }
}
