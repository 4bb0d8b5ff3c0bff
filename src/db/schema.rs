// @generated automatically by Diesel CLI.

diesel::table! {
    answers (id) {
        id -> Text,
        registration_id -> Text,
        question_id -> Text,
        value -> Text,
    }
}

diesel::table! {
    api_idempotency (token_id, idem_key) {
        token_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_token_events (token_id, event_id) {
        token_id -> Text,
        event_id -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        organizer_id -> Text,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        scope -> Text,
        all_events -> Bool,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_label -> Text,
        event_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        summary -> Text,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> Text,
        purpose -> Text,
        token_hash -> Text,
        subject_id -> Text,
        event_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    bulk_mails (id) {
        id -> Text,
        event_id -> Text,
        audience -> Text,
        subject -> Text,
        body -> Text,
        recipients -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    buzz_items (id) {
        id -> Text,
        event_id -> Text,
        kind -> Text,
        title -> Text,
        author -> Text,
        url -> Text,
        published_on -> Timestamp,
        quote -> Text,
        status -> Text,
        talk_id -> Nullable<Text>,
        topic_id -> Nullable<Text>,
        sample -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    event_roles (id) {
        id -> Text,
        event_id -> Text,
        organizer_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        timezone -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        venue_id -> Nullable<Text>,
        description -> Text,
        capacity -> Nullable<Integer>,
        registration_opens_at -> Nullable<Timestamp>,
        registration_closes_at -> Nullable<Timestamp>,
        cfp_opens_at -> Nullable<Timestamp>,
        cfp_closes_at -> Nullable<Timestamp>,
        cfp_description -> Text,
        review_score_min -> Integer,
        review_score_max -> Integer,
        anonymous_review -> Bool,
        confirm_reminder_days -> Integer,
        pending_expiry_hours -> Integer,
        offer_expiry_hours -> Integer,
        retention_days -> Integer,
        contact_email -> Text,
        code_of_conduct_url -> Text,
        is_sample -> Bool,
        purged_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        successor_id -> Nullable<Text>,
        feedback_enabled -> Bool,
        status -> Text,
    }
}

diesel::table! {
    images (id) {
        id -> Text,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        unique_key -> Nullable<Text>,
        status -> Text,
        priority -> Integer,
        due_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        ip -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    mail_attachments (id) {
        id -> Text,
        mail_id -> Text,
        filename -> Text,
        content_type -> Text,
        content -> Binary,
        position -> Integer,
        render -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        event_id -> Nullable<Text>,
        kind -> Text,
        recipient_email -> Text,
        recipient_name -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        message_id -> Text,
        reply_to -> Nullable<Text>,
        list_unsubscribe -> Nullable<Text>,
        entity_type -> Nullable<Text>,
        entity_id -> Nullable<Text>,
        bulk_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        credentials -> Text,
    }
}

diesel::table! {
    mail_templates (id) {
        id -> Text,
        event_id -> Text,
        kind -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    mail_unsubscribes (id) {
        id -> Text,
        event_id -> Text,
        email -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notice_subscriptions (id) {
        id -> Text,
        event_id -> Text,
        email -> Text,
        token_hash -> Text,
        confirmed_at -> Nullable<Timestamp>,
        registration_sent_at -> Nullable<Timestamp>,
        cfp_sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    openspace_closed_slots (slot_id) {
        slot_id -> Text,
        event_id -> Text,
    }
}

diesel::table! {
    openspace_participants (id) {
        id -> Text,
        event_id -> Text,
        registration_id -> Nullable<Text>,
        name -> Text,
        dots_used -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    openspace_topics (id) {
        id -> Text,
        number -> BigInt,
        event_id -> Text,
        title -> Text,
        description -> Text,
        convener_name -> Text,
        participant_id -> Nullable<Text>,
        state -> Text,
        merged_into -> Nullable<Text>,
        slot_id -> Nullable<Text>,
        draft_slot_id -> Nullable<Text>,
        sample -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    openspace_votes (id) {
        id -> Text,
        event_id -> Text,
        topic_id -> Text,
        participant_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    openspaces (event_id) {
        event_id -> Text,
        access -> Text,
        code -> Text,
        dots -> Integer,
        market -> Text,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        notes_days -> Integer,
        about -> Text,
        board_version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organizers (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        is_site_admin -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    people (id) {
        id -> Text,
        name -> Text,
        email -> Nullable<Text>,
        bio -> Text,
        photo_url -> Text,
        website_url -> Text,
        social -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    proposal_speakers (id) {
        id -> Text,
        proposal_id -> Text,
        person_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    proposals (id) {
        id -> Text,
        event_id -> Text,
        submitter_id -> Text,
        submission_type_id -> Text,
        track_id -> Nullable<Text>,
        title -> Text,
        #[sql_name = "abstract"]
        abstract_ -> Text,
        description -> Text,
        notes -> Text,
        state -> Text,
        talk_id -> Nullable<Text>,
        confirm_token_hash -> Nullable<Text>,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
        reminders_sent -> Integer,
        token_generation -> Integer,
        do_not_record -> Bool,
    }
}

diesel::table! {
    questions (id) {
        id -> Text,
        event_id -> Text,
        label -> Text,
        help_text -> Text,
        kind -> Text,
        required -> Bool,
        options -> Text,
        position -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    queue_workers (id) {
        id -> Text,
        name -> Text,
        started_at -> Timestamp,
        heartbeat_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        event_id -> Text,
        seq -> BigInt,
        name -> Text,
        email -> Text,
        company -> Text,
        status -> Text,
        manage_token_hash -> Text,
        desk_token_hash -> Text,
        expires_at -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
        checked_in_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        terms_accepted_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        kind -> Text,
        token_generation -> Integer,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        proposal_id -> Text,
        reviewer_id -> Text,
        score -> Integer,
        comment -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rooms (id) {
        id -> Text,
        event_id -> Text,
        name -> Text,
        description -> Text,
        capacity -> Nullable<Integer>,
        position -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    schedule_releases (id) {
        id -> Text,
        event_id -> Text,
        version -> Integer,
        released_at -> Timestamp,
        released_by -> Nullable<Text>,
        note -> Text,
        snapshot -> Text,
        changes -> Text,
    }
}

diesel::table! {
    schedule_uploads (id) {
        id -> Text,
        event_id -> Text,
        filename -> Text,
        xml -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    session_notes (id) {
        id -> Text,
        event_id -> Text,
        subject_kind -> Text,
        subject_id -> Text,
        revision -> Integer,
        body -> Text,
        editor_name -> Text,
        participant_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        organizer_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    slots (id) {
        id -> Text,
        number -> BigInt,
        event_id -> Text,
        room_id -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        kind -> Text,
        talk_id -> Nullable<Text>,
        title -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    speaker_availability (id) {
        id -> Text,
        event_id -> Text,
        person_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
    }
}

diesel::table! {
    sponsor_levels (id) {
        id -> Text,
        event_id -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    sponsors (id) {
        id -> Text,
        event_id -> Text,
        level_id -> Text,
        name -> Text,
        url -> Text,
        blurb -> Text,
        logo_id -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    submission_types (id) {
        id -> Text,
        event_id -> Text,
        name -> Text,
        kind -> Text,
        duration_minutes -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    talk_feedback (id) {
        id -> Text,
        event_id -> Text,
        talk_id -> Text,
        browser -> Text,
        rating -> Integer,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    talk_people (id) {
        id -> Text,
        talk_id -> Text,
        person_id -> Text,
        role -> Text,
        position -> Integer,
    }
}

diesel::table! {
    talks (id) {
        id -> Text,
        number -> BigInt,
        event_id -> Text,
        title -> Text,
        #[sql_name = "abstract"]
        abstract_ -> Text,
        description -> Text,
        kind -> Text,
        duration_minutes -> Integer,
        track_id -> Nullable<Text>,
        language -> Text,
        level -> Text,
        slides_url -> Text,
        video_url -> Text,
        state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        do_not_record -> Bool,
    }
}

diesel::table! {
    tracks (id) {
        id -> Text,
        event_id -> Text,
        name -> Text,
        colour -> Text,
        position -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    venues (id) {
        id -> Text,
        name -> Text,
        address -> Text,
        url -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        webhook_id -> Text,
        message_id -> Text,
        event_type -> Text,
        attempt -> Integer,
        succeeded -> Bool,
        status_code -> Nullable<Integer>,
        latency_ms -> Integer,
        response_excerpt -> Text,
        error -> Nullable<Text>,
        payload -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        event_id -> Text,
        url -> Text,
        secret -> Text,
        event_types -> Text,
        enabled -> Bool,
        failing_since -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(answers -> questions (question_id));
diesel::joinable!(answers -> registrations (registration_id));
diesel::joinable!(api_idempotency -> api_tokens (token_id));
diesel::joinable!(api_token_events -> api_tokens (token_id));
diesel::joinable!(api_token_events -> events (event_id));
diesel::joinable!(api_tokens -> organizers (organizer_id));
diesel::joinable!(audit_log -> events (event_id));
diesel::joinable!(audit_log -> organizers (actor_id));
diesel::joinable!(auth_tokens -> events (event_id));
diesel::joinable!(bulk_mails -> events (event_id));
diesel::joinable!(bulk_mails -> organizers (created_by));
diesel::joinable!(buzz_items -> events (event_id));
diesel::joinable!(buzz_items -> openspace_topics (topic_id));
diesel::joinable!(buzz_items -> talks (talk_id));
diesel::joinable!(event_roles -> events (event_id));
diesel::joinable!(event_roles -> organizers (organizer_id));
diesel::joinable!(events -> venues (venue_id));
diesel::joinable!(mail_attachments -> mail_outbox (mail_id));
diesel::joinable!(mail_outbox -> bulk_mails (bulk_id));
diesel::joinable!(mail_outbox -> events (event_id));
diesel::joinable!(mail_templates -> events (event_id));
diesel::joinable!(mail_templates -> organizers (updated_by));
diesel::joinable!(mail_unsubscribes -> events (event_id));
diesel::joinable!(notice_subscriptions -> events (event_id));
diesel::joinable!(openspace_closed_slots -> events (event_id));
diesel::joinable!(openspace_closed_slots -> slots (slot_id));
diesel::joinable!(openspace_participants -> events (event_id));
diesel::joinable!(openspace_topics -> events (event_id));
diesel::joinable!(openspace_topics -> openspace_participants (participant_id));
diesel::joinable!(openspace_votes -> events (event_id));
diesel::joinable!(openspace_votes -> openspace_participants (participant_id));
diesel::joinable!(openspace_votes -> openspace_topics (topic_id));
diesel::joinable!(openspaces -> events (event_id));
diesel::joinable!(proposal_speakers -> people (person_id));
diesel::joinable!(proposal_speakers -> proposals (proposal_id));
diesel::joinable!(proposals -> events (event_id));
diesel::joinable!(proposals -> people (submitter_id));
diesel::joinable!(proposals -> submission_types (submission_type_id));
diesel::joinable!(proposals -> talks (talk_id));
diesel::joinable!(proposals -> tracks (track_id));
diesel::joinable!(questions -> events (event_id));
diesel::joinable!(registrations -> events (event_id));
diesel::joinable!(reviews -> organizers (reviewer_id));
diesel::joinable!(reviews -> proposals (proposal_id));
diesel::joinable!(rooms -> events (event_id));
diesel::joinable!(schedule_releases -> events (event_id));
diesel::joinable!(schedule_releases -> organizers (released_by));
diesel::joinable!(schedule_uploads -> events (event_id));
diesel::joinable!(session_notes -> events (event_id));
diesel::joinable!(session_notes -> openspace_participants (participant_id));
diesel::joinable!(sessions -> organizers (organizer_id));
diesel::joinable!(slots -> events (event_id));
diesel::joinable!(slots -> rooms (room_id));
diesel::joinable!(slots -> talks (talk_id));
diesel::joinable!(speaker_availability -> events (event_id));
diesel::joinable!(speaker_availability -> people (person_id));
diesel::joinable!(sponsor_levels -> events (event_id));
diesel::joinable!(sponsors -> events (event_id));
diesel::joinable!(sponsors -> images (logo_id));
diesel::joinable!(sponsors -> sponsor_levels (level_id));
diesel::joinable!(submission_types -> events (event_id));
diesel::joinable!(talk_feedback -> events (event_id));
diesel::joinable!(talk_feedback -> talks (talk_id));
diesel::joinable!(talk_people -> people (person_id));
diesel::joinable!(talk_people -> talks (talk_id));
diesel::joinable!(talks -> events (event_id));
diesel::joinable!(talks -> tracks (track_id));
diesel::joinable!(tracks -> events (event_id));
diesel::joinable!(webhook_attempts -> webhooks (webhook_id));
diesel::joinable!(webhooks -> events (event_id));
diesel::joinable!(webhooks -> organizers (created_by));

diesel::allow_tables_to_appear_in_same_query!(
    answers,
    api_idempotency,
    api_token_events,
    api_tokens,
    audit_log,
    auth_tokens,
    bulk_mails,
    buzz_items,
    event_roles,
    events,
    images,
    jobs,
    login_attempts,
    mail_attachments,
    mail_outbox,
    mail_templates,
    mail_unsubscribes,
    notice_subscriptions,
    openspace_closed_slots,
    openspace_participants,
    openspace_topics,
    openspace_votes,
    openspaces,
    organizers,
    people,
    proposal_speakers,
    proposals,
    questions,
    queue_workers,
    registrations,
    reviews,
    rooms,
    schedule_releases,
    schedule_uploads,
    session_notes,
    sessions,
    slots,
    speaker_availability,
    sponsor_levels,
    sponsors,
    submission_types,
    talk_feedback,
    talk_people,
    talks,
    tracks,
    venues,
    webhook_attempts,
    webhooks,
);
