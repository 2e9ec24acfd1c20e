using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>
/// One-time warnings for the two ways a mis-wired pipeline loses the avatar silently, each logged at most once per
/// service with the fix: media dropped because no <see cref="OutputTransportReadyFrame"/> ever came (said when the run
/// ends, with what was dropped: drops before a late-ready transport are normal start-up), and plain
/// <see cref="OutputAudioRawFrame"/>s reaching the avatar where it expects TTS audio (said at the first one).
/// </summary>
internal sealed class AvatarWiringWarnings
{
    private int _transportWarned;
    private int _plainAudioWarned;

    /// <summary>At the end of a run: warns once when media was dropped and the transport never became ready.</summary>
    public void TransportNeverReady(AvatarOutput output, ILogger logger, string processor)
    {
        long video = output.VideoDroppedBeforeReady;
        long audio = output.AudioDroppedBeforeReady;
        if (output.TransportReady || video + audio == 0 || Interlocked.Exchange(ref _transportWarned, 1) != 0)
        {
            return;
        }

        logger.LogWarning(
            "{Processor}: {VideoFrames} video and {AudioFrames} audio frames of the avatar were dropped because no " +
            "OutputTransportReadyFrame was seen: put a transport output after the avatar service or send " +
            "OutputTransportReadyFrame upstream (or set WaitForOutputTransportReady = false for an output that never sends one)",
            processor, video, audio);
    }

    /// <summary>A plain <see cref="OutputAudioRawFrame"/> came downstream: warns once that the avatar does not speak it.</summary>
    public void PlainOutputAudio(OutputAudioRawFrame frame, ILogger logger, string processor)
    {
        if (Interlocked.Exchange(ref _plainAudioWarned, 1) != 0)
        {
            return;
        }

        logger.LogWarning(
            "{Processor}: received a plain {FrameType} ({SampleRate} Hz) where it expects TTS audio: the avatar does not speak " +
            "it, and it passes on unsynchronised with the avatar's video. Make the TTS push TTSAudioRawFrame between " +
            "TTSStartedFrame and TTSStoppedFrame (Pipeline.AI's TextToSpeechProcessor does)",
            processor, frame.GetType().Name, frame.SampleRate);
    }
}
