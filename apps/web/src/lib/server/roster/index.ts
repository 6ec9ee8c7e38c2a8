// The roster services live in @renraku/core; the registration sheets stay here because they
// render with the web's i18n catalogue.
export * from '@renraku/core/roster';
export {
  registrationSheetPdf,
  registrationSheets,
  renderSheetsPdf,
  type RegistrationSheet,
  type SheetInput,
  type SheetTarget,
} from './sheets';
