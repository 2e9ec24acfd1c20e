namespace Pipeline.AvatarWorker.Emulator;

/// <summary>One <c>lk.clear_buffer</c> call the worker received.</summary>
/// <param name="At">When it arrived (emulator clock).</param>
/// <param name="CallerIdentity">Who called it.</param>
/// <param name="Accepted">Whether the worker acted on it (only the agent may clear; others get an error).</param>
/// <param name="HadAudio">Whether anything was playing, queued or still streaming when it arrived (then a
/// <c>lk.playback_finished</c> with <c>interrupted: true</c> follows, unless a fault suppresses it).</param>
public sealed record ClearBufferRecord(DateTimeOffset At, string CallerIdentity, bool Accepted, bool HadAudio);
