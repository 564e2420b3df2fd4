// hls.js ships one declaration file; the light build (no subtitles, alt audio, DRM) has the same API.
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
}
