// Generated from schema.graphql by client/scripts/codegen.ts (npm run codegen). Do not edit.
/* tslint:disable */
/* eslint-disable */
//  This file was automatically generated and should not be edited.

export type RoomConnection = {
  __typename: "RoomConnection",
  items:  Array<Room >,
  nextToken?: string | null,
};

export type Room = {
  __typename: "Room",
  id: string,
  name: string,
  capacity: number,
  // The room's events that end after `from` (default now), in time order (at most `limit`, default 20, max 100).
  bookings:  Array<RoomBooking >,
};

export type RoomBooking = {
  __typename: "RoomBooking",
  event_id: string,
  datetime_start: string,
  datetime_end: string,
};

// Which events a list holds. UPCOMING: not yet ended, soonest first. PAST: ended, most recent first. ALL: by start time.
export enum EventWhen {
  UPCOMING = "UPCOMING",
  PAST = "PAST",
  ALL = "ALL",
}


export type EventConnection = {
  __typename: "EventConnection",
  items:  Array<Event >,
  nextToken?: string | null,
};

export type Event = {
  __typename: "Event",
  id: string,
  name: string,
  description?: string | null,
  // The organiser's display name.
  event_owner: string,
  room_id: string,
  // Resolved for a whole page in one batched call.
  room?: Room | null,
  image_file_name?: string | null,
  event_datetime_start: string,
  event_datetime_end: string,
  // Minutes between start and end.
  event_duration: number,
  total_tickets: number,
  tickets_sold: number,
  tickets_left: number,
  // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
  tickets: Array< string >,
};

export type TicketHolderConnection = {
  __typename: "TicketHolderConnection",
  items:  Array<TicketHolder >,
  nextToken?: string | null,
};

export type TicketHolder = {
  __typename: "TicketHolder",
  event_id: string,
  user_id: string,
  booked_at?: string | null,
};

export type Activity = {
  __typename: "Activity",
  id: string,
  userid: string,
  category: string,
  type: string,
  caloriesConsumed: number,
  creationDateTime: string,
};

export type ActivityConnection = {
  __typename: "ActivityConnection",
  items:  Array<Activity >,
  nextToken?: string | null,
};

export type ActivityCategory = {
  __typename: "ActivityCategory",
  category: string,
  type: Array< string >,
};

export type User = {
  __typename: "User",
  id: string,
  username?: string | null,
  height?: number | null,
  weight?: number | null,
  caloriesTargetPerDay?: number | null,
  bmi?: number | null,
};

export type UserAggregate = {
  __typename: "UserAggregate",
  userid: string,
  date: string,
  caloriesConsumed: number,
  caloriesBurned: number,
};

export type UserAggregateConnection = {
  __typename: "UserAggregateConnection",
  items:  Array<UserAggregate >,
  nextToken?: string | null,
};

export type CreateRoomInput = {
  id?: string | null,
  name: string,
  capacity: number,
};

export type UpdateRoomInput = {
  id: string,
  name?: string | null,
  capacity?: number | null,
};

export type DeleteRoomInput = {
  id: string,
};

export type CreateEventInput = {
  id?: string | null,
  name: string,
  description?: string | null,
  // Defaults to your username.
  event_owner?: string | null,
  room_id: string,
  image_file_name?: string | null,
  event_datetime_start: string,
  event_datetime_end: string,
  // Minutes; computed from the times when left out.
  event_duration?: number | null,
  total_tickets: number,
};

export type UpdateEventInput = {
  id: string,
  name?: string | null,
  description?: string | null,
  event_owner?: string | null,
  room_id?: string | null,
  image_file_name?: string | null,
  event_datetime_start?: string | null,
  event_datetime_end?: string | null,
  event_duration?: number | null,
  total_tickets?: number | null,
  // The holders you were shown, plus or minus your own id to book or cancel your ticket. Organisers and admins may add or remove anyone's.
  tickets?: Array< string > | null,
};

export type DeleteEventInput = {
  id: string,
};

export type Ticket = {
  __typename: "Ticket",
  event_id: string,
  user_id: string,
  // When it was booked; null on a cancelled ticket.
  booked_at?: string | null,
  event?: Event | null,
};

export type CreateActivityInput = {
  id?: string | null,
  category: string,
  type: string,
  caloriesConsumed: number,
  // Defaults to now.
  creationDateTime?: string | null,
};

export type UpdateActivityInput = {
  id: string,
  category?: string | null,
  type?: string | null,
  caloriesConsumed?: number | null,
  creationDateTime?: string | null,
};

export type DeleteActivityInput = {
  id: string,
};

export type UpdateUserInput = {
  username?: string | null,
  height?: number | null,
  weight?: number | null,
  caloriesTargetPerDay?: number | null,
};

export type ListRoomsQueryVariables = {
  limit?: number | null,
  nextToken?: string | null,
};

export type ListRoomsQuery = {
  listRooms:  {
    __typename: "RoomConnection",
    items:  Array< {
      __typename: "Room",
      id: string,
      name: string,
      capacity: number,
    } >,
    nextToken?: string | null,
  },
};

export type GetRoomQueryVariables = {
  id: string,
};

export type GetRoomQuery = {
  getRoom?:  {
    __typename: "Room",
    id: string,
    name: string,
    capacity: number,
    // The room's events that end after `from` (default now), in time order (at most `limit`, default 20, max 100).
    bookings:  Array< {
      __typename: "RoomBooking",
      event_id: string,
      datetime_start: string,
      datetime_end: string,
    } >,
  } | null,
};

export type ListEventsQueryVariables = {
  when?: EventWhen | null,
  limit?: number | null,
  nextToken?: string | null,
};

export type ListEventsQuery = {
  listEvents:  {
    __typename: "EventConnection",
    items:  Array< {
      __typename: "Event",
      id: string,
      name: string,
      description?: string | null,
      // The organiser's display name.
      event_owner: string,
      room_id: string,
      image_file_name?: string | null,
      event_datetime_start: string,
      event_datetime_end: string,
      // Minutes between start and end.
      event_duration: number,
      total_tickets: number,
      tickets_sold: number,
      tickets_left: number,
      // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
      tickets: Array< string >,
    } >,
    nextToken?: string | null,
  },
};

export type GetEventQueryVariables = {
  id: string,
};

export type GetEventQuery = {
  getEvent?:  {
    __typename: "Event",
    id: string,
    name: string,
    description?: string | null,
    // The organiser's display name.
    event_owner: string,
    room_id: string,
    // Resolved for a whole page in one batched call.
    room?:  {
      __typename: "Room",
      id: string,
      name: string,
      capacity: number,
    } | null,
    image_file_name?: string | null,
    event_datetime_start: string,
    event_datetime_end: string,
    // Minutes between start and end.
    event_duration: number,
    total_tickets: number,
    tickets_sold: number,
    tickets_left: number,
    // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
    tickets: Array< string >,
  } | null,
};

export type ListMyEventsQueryVariables = {
  limit?: number | null,
  nextToken?: string | null,
};

export type ListMyEventsQuery = {
  // The events you hold a ticket for, most recently booked first.
  listMyEvents:  {
    __typename: "EventConnection",
    items:  Array< {
      __typename: "Event",
      id: string,
      name: string,
      description?: string | null,
      // The organiser's display name.
      event_owner: string,
      room_id: string,
      image_file_name?: string | null,
      event_datetime_start: string,
      event_datetime_end: string,
      // Minutes between start and end.
      event_duration: number,
      total_tickets: number,
      tickets_sold: number,
      tickets_left: number,
      // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
      tickets: Array< string >,
    } >,
    nextToken?: string | null,
  },
};

export type ListTicketHoldersQueryVariables = {
  event_id: string,
  limit?: number | null,
  nextToken?: string | null,
};

export type ListTicketHoldersQuery = {
  // An event's ticket holders, for its organiser and admins only (at most `limit`, default 20, max 100, a page).
  listTicketHolders:  {
    __typename: "TicketHolderConnection",
    items:  Array< {
      __typename: "TicketHolder",
      event_id: string,
      user_id: string,
      booked_at?: string | null,
    } >,
    nextToken?: string | null,
  },
};

export type GetActivityQueryVariables = {
  id: string,
};

export type GetActivityQuery = {
  getActivity?:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  } | null,
};

export type ListActivitiesQueryVariables = {
  userid?: string | null,
  from?: string | null,
  to?: string | null,
  limit?: number | null,
  nextToken?: string | null,
};

export type ListActivitiesQuery = {
  // Your activities, newest first, optionally between two instants (inclusive).
  listActivities:  {
    __typename: "ActivityConnection",
    items:  Array< {
      __typename: "Activity",
      id: string,
      userid: string,
      category: string,
      type: string,
      caloriesConsumed: number,
      creationDateTime: string,
    } >,
    nextToken?: string | null,
  },
};

export type ListActivityCategoriesQueryVariables = {
};

export type ListActivityCategoriesQuery = {
  listActivityCategories:  Array< {
    __typename: "ActivityCategory",
    category: string,
    type: Array< string >,
  } >,
};

export type GetUserQueryVariables = {
  id?: string | null,
};

export type GetUserQuery = {
  getUser?:  {
    __typename: "User",
    id: string,
    username?: string | null,
    height?: number | null,
    weight?: number | null,
    caloriesTargetPerDay?: number | null,
    bmi?: number | null,
  } | null,
};

export type GetUserAggregateQueryVariables = {
  date: string,
  userid?: string | null,
};

export type GetUserAggregateQuery = {
  getUserAggregate:  {
    __typename: "UserAggregate",
    userid: string,
    date: string,
    caloriesConsumed: number,
    caloriesBurned: number,
  },
};

export type ListUserAggregatesQueryVariables = {
  from: string,
  to: string,
  userid?: string | null,
  limit?: number | null,
  nextToken?: string | null,
};

export type ListUserAggregatesQuery = {
  // Days from..to (inclusive, at most 366 days) that have activities, oldest first.
  listUserAggregates:  {
    __typename: "UserAggregateConnection",
    items:  Array< {
      __typename: "UserAggregate",
      userid: string,
      date: string,
      caloriesConsumed: number,
      caloriesBurned: number,
    } >,
    nextToken?: string | null,
  },
};

export type CreateRoomMutationVariables = {
  input: CreateRoomInput,
};

export type CreateRoomMutation = {
  createRoom:  {
    __typename: "Room",
    id: string,
    name: string,
    capacity: number,
    // The room's events that end after `from` (default now), in time order (at most `limit`, default 20, max 100).
    bookings:  Array< {
      __typename: "RoomBooking",
      event_id: string,
      datetime_start: string,
      datetime_end: string,
    } >,
  },
};

export type UpdateRoomMutationVariables = {
  input: UpdateRoomInput,
};

export type UpdateRoomMutation = {
  updateRoom:  {
    __typename: "Room",
    id: string,
    name: string,
    capacity: number,
    // The room's events that end after `from` (default now), in time order (at most `limit`, default 20, max 100).
    bookings:  Array< {
      __typename: "RoomBooking",
      event_id: string,
      datetime_start: string,
      datetime_end: string,
    } >,
  },
};

export type DeleteRoomMutationVariables = {
  input: DeleteRoomInput,
};

export type DeleteRoomMutation = {
  deleteRoom:  {
    __typename: "Room",
    id: string,
    name: string,
    capacity: number,
    // The room's events that end after `from` (default now), in time order (at most `limit`, default 20, max 100).
    bookings:  Array< {
      __typename: "RoomBooking",
      event_id: string,
      datetime_start: string,
      datetime_end: string,
    } >,
  },
};

export type CreateEventMutationVariables = {
  input: CreateEventInput,
};

export type CreateEventMutation = {
  createEvent:  {
    __typename: "Event",
    id: string,
    name: string,
    description?: string | null,
    // The organiser's display name.
    event_owner: string,
    room_id: string,
    // Resolved for a whole page in one batched call.
    room?:  {
      __typename: "Room",
      id: string,
      name: string,
      capacity: number,
    } | null,
    image_file_name?: string | null,
    event_datetime_start: string,
    event_datetime_end: string,
    // Minutes between start and end.
    event_duration: number,
    total_tickets: number,
    tickets_sold: number,
    tickets_left: number,
    // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
    tickets: Array< string >,
  },
};

export type UpdateEventMutationVariables = {
  input: UpdateEventInput,
};

export type UpdateEventMutation = {
  updateEvent:  {
    __typename: "Event",
    id: string,
    name: string,
    description?: string | null,
    // The organiser's display name.
    event_owner: string,
    room_id: string,
    // Resolved for a whole page in one batched call.
    room?:  {
      __typename: "Room",
      id: string,
      name: string,
      capacity: number,
    } | null,
    image_file_name?: string | null,
    event_datetime_start: string,
    event_datetime_end: string,
    // Minutes between start and end.
    event_duration: number,
    total_tickets: number,
    tickets_sold: number,
    tickets_left: number,
    // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
    tickets: Array< string >,
  },
};

export type DeleteEventMutationVariables = {
  input: DeleteEventInput,
};

export type DeleteEventMutation = {
  deleteEvent:  {
    __typename: "Event",
    id: string,
    name: string,
    description?: string | null,
    // The organiser's display name.
    event_owner: string,
    room_id: string,
    // Resolved for a whole page in one batched call.
    room?:  {
      __typename: "Room",
      id: string,
      name: string,
      capacity: number,
    } | null,
    image_file_name?: string | null,
    event_datetime_start: string,
    event_datetime_end: string,
    // Minutes between start and end.
    event_duration: number,
    total_tickets: number,
    tickets_sold: number,
    tickets_left: number,
    // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
    tickets: Array< string >,
  },
};

export type BookTicketMutationVariables = {
  event_id: string,
};

export type BookTicketMutation = {
  bookTicket:  {
    __typename: "Ticket",
    event_id: string,
    user_id: string,
    // When it was booked; null on a cancelled ticket.
    booked_at?: string | null,
    event?:  {
      __typename: "Event",
      id: string,
      name: string,
      description?: string | null,
      // The organiser's display name.
      event_owner: string,
      room_id: string,
      image_file_name?: string | null,
      event_datetime_start: string,
      event_datetime_end: string,
      // Minutes between start and end.
      event_duration: number,
      total_tickets: number,
      tickets_sold: number,
      tickets_left: number,
      // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
      tickets: Array< string >,
    } | null,
  },
};

export type CancelTicketMutationVariables = {
  event_id: string,
};

export type CancelTicketMutation = {
  cancelTicket:  {
    __typename: "Ticket",
    event_id: string,
    user_id: string,
    // When it was booked; null on a cancelled ticket.
    booked_at?: string | null,
    event?:  {
      __typename: "Event",
      id: string,
      name: string,
      description?: string | null,
      // The organiser's display name.
      event_owner: string,
      room_id: string,
      image_file_name?: string | null,
      event_datetime_start: string,
      event_datetime_end: string,
      // Minutes between start and end.
      event_duration: number,
      total_tickets: number,
      tickets_sold: number,
      tickets_left: number,
      // Ticket holders' user ids: the first 100 for the organiser and admins (all of them, page by page, through listTicketHolders), only your own for anyone else, none for the public.
      tickets: Array< string >,
    } | null,
  },
};

export type CreateActivityMutationVariables = {
  input: CreateActivityInput,
};

export type CreateActivityMutation = {
  createActivity:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  },
};

export type UpdateActivityMutationVariables = {
  input: UpdateActivityInput,
};

export type UpdateActivityMutation = {
  updateActivity:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  },
};

export type DeleteActivityMutationVariables = {
  input: DeleteActivityInput,
};

export type DeleteActivityMutation = {
  deleteActivity:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  },
};

export type UpdateUserMutationVariables = {
  input: UpdateUserInput,
};

export type UpdateUserMutation = {
  // Creates your profile on first use.
  updateUser:  {
    __typename: "User",
    id: string,
    username?: string | null,
    height?: number | null,
    weight?: number | null,
    caloriesTargetPerDay?: number | null,
    bmi?: number | null,
  },
};

export type OnCreateActivitySubscriptionVariables = {
  userid: string,
};

export type OnCreateActivitySubscription = {
  onCreateActivity?:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  } | null,
};

export type OnUpdateActivitySubscriptionVariables = {
  userid: string,
};

export type OnUpdateActivitySubscription = {
  onUpdateActivity?:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  } | null,
};

export type OnDeleteActivitySubscriptionVariables = {
  userid: string,
};

export type OnDeleteActivitySubscription = {
  onDeleteActivity?:  {
    __typename: "Activity",
    id: string,
    userid: string,
    category: string,
    type: string,
    caloriesConsumed: number,
    creationDateTime: string,
  } | null,
};
