/** What the draft editor's parts share: the draft as last answered, the selected photo, and how to redraw. */
import type { EditorDraft, EditorPhoto, EditorSettings } from '../api-types.js';

export interface EditorSession {
  draft: EditorDraft;
  /** The service's market units and small-photo limits. */
  settings: EditorSettings;
  /** The photo shown in the panel (null: the draft has none). */
  selected: string | null;
  /** The draft's photos as the API answered them; the strip and the panel are redrawn. */
  replacePhotos(photos: EditorPhoto[]): void;
  /** One photo as the API answered it. */
  replacePhoto(photo: EditorPhoto): void;
  select(photoId: string): void;
  /** Moves a photo to `index` in the draft's order. */
  moveTo(photoId: string, index: number): Promise<void>;
  /** Draws the selected photo's tools again (after a tool is cancelled, say). */
  renderPanel(): void;
}
