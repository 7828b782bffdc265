import { Module } from '@nestjs/common';
import { HomePagesController } from './home.pages.controller';

@Module({ controllers: [HomePagesController] })
export class HomeModule {}
