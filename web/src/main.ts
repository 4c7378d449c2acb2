// The page: open or drop an image, then show it (image-view), verify it (verify-view) and browse
// its container (fs-view). The image is read through Blob.slice only: any size, nothing uploaded.
import { BlobSource, loadImage } from '../../src/index.js';
import { byId, dropZone, errorText, humanSize, showError } from './dom.js';
import { showContainer } from './fs-view.js';
import { showImage } from './image-view.js';
import { addKeyFiles, setImage, setupVerify } from './verify-view.js';

const KEY_NAME = /\.(asc|gpg|pgp|pub|pem|key)$/i;

async function openImage(file: File): Promise<void> {
  const status = byId('image-status');
  showError(undefined);
  document.documentElement.dataset.image = 'loading';
  try {
    const img = await loadImage(new BlobSource(file));
    status.textContent = `${file.name}: ${humanSize(file.size)}, ${img.objects().length} objects.`;
    showImage(file, img);
    setImage(file);
    byId('image-views').hidden = false;
    await showContainer(img);
    document.documentElement.dataset.image = 'ready';
  } catch (e) {
    byId('image-views').hidden = true;
    status.textContent = `${file.name}: not a SIF image this page can read.`;
    showError(errorText(e));
    document.documentElement.dataset.image = 'error';
  }
}

const imageInput = byId<HTMLInputElement>('image-input');
imageInput.addEventListener('change', () => {
  const f = imageInput.files?.[0];
  if (f) void openImage(f);
});
dropZone(byId('image-drop'), (files) => void openImage(files[0]!));
// A drop anywhere else: keys by their names, an image otherwise.
dropZone(document.body, (files) => {
  const keyFiles = files.filter((f) => KEY_NAME.test(f.name));
  const other = files.filter((f) => !KEY_NAME.test(f.name));
  if (keyFiles.length) addKeyFiles(keyFiles).catch(showError);
  if (other.length) void openImage(other[0]!);
});
setupVerify();
document.documentElement.dataset.page = 'ready';
