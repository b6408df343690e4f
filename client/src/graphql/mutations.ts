// Generated from schema.graphql by client/scripts/codegen.ts (npm run codegen). Do not edit.
/* tslint:disable */
/* eslint-disable */
// this is an auto generated file. This will be overwritten

import * as APITypes from "./API";
type GeneratedMutation<InputType, OutputType> = string & {
  __generatedMutationInput: InputType;
  __generatedMutationOutput: OutputType;
};

export const createRoom = /* GraphQL */ `mutation CreateRoom($input: CreateRoomInput!) {
  createRoom(input: $input) {
    id
    name
    capacity
    bookings {
      event_id
      datetime_start
      datetime_end
      __typename
    }
    __typename
  }
}
` as GeneratedMutation<
  APITypes.CreateRoomMutationVariables,
  APITypes.CreateRoomMutation
>;
export const updateRoom = /* GraphQL */ `mutation UpdateRoom($input: UpdateRoomInput!) {
  updateRoom(input: $input) {
    id
    name
    capacity
    bookings {
      event_id
      datetime_start
      datetime_end
      __typename
    }
    __typename
  }
}
` as GeneratedMutation<
  APITypes.UpdateRoomMutationVariables,
  APITypes.UpdateRoomMutation
>;
export const deleteRoom = /* GraphQL */ `mutation DeleteRoom($input: DeleteRoomInput!) {
  deleteRoom(input: $input) {
    id
    name
    capacity
    bookings {
      event_id
      datetime_start
      datetime_end
      __typename
    }
    __typename
  }
}
` as GeneratedMutation<
  APITypes.DeleteRoomMutationVariables,
  APITypes.DeleteRoomMutation
>;
export const createEvent = /* GraphQL */ `mutation CreateEvent($input: CreateEventInput!) {
  createEvent(input: $input) {
    id
    name
    description
    event_owner
    room_id
    room {
      id
      name
      capacity
      __typename
    }
    image_file_name
    event_datetime_start
    event_datetime_end
    event_duration
    total_tickets
    tickets_sold
    tickets_left
    tickets
    __typename
  }
}
` as GeneratedMutation<
  APITypes.CreateEventMutationVariables,
  APITypes.CreateEventMutation
>;
export const updateEvent = /* GraphQL */ `mutation UpdateEvent($input: UpdateEventInput!) {
  updateEvent(input: $input) {
    id
    name
    description
    event_owner
    room_id
    room {
      id
      name
      capacity
      __typename
    }
    image_file_name
    event_datetime_start
    event_datetime_end
    event_duration
    total_tickets
    tickets_sold
    tickets_left
    tickets
    __typename
  }
}
` as GeneratedMutation<
  APITypes.UpdateEventMutationVariables,
  APITypes.UpdateEventMutation
>;
export const deleteEvent = /* GraphQL */ `mutation DeleteEvent($input: DeleteEventInput!) {
  deleteEvent(input: $input) {
    id
    name
    description
    event_owner
    room_id
    room {
      id
      name
      capacity
      __typename
    }
    image_file_name
    event_datetime_start
    event_datetime_end
    event_duration
    total_tickets
    tickets_sold
    tickets_left
    tickets
    __typename
  }
}
` as GeneratedMutation<
  APITypes.DeleteEventMutationVariables,
  APITypes.DeleteEventMutation
>;
export const bookTicket = /* GraphQL */ `mutation BookTicket($event_id: ID!) {
  bookTicket(event_id: $event_id) {
    event_id
    user_id
    booked_at
    event {
      id
      name
      description
      event_owner
      room_id
      image_file_name
      event_datetime_start
      event_datetime_end
      event_duration
      total_tickets
      tickets_sold
      tickets_left
      tickets
      __typename
    }
    __typename
  }
}
` as GeneratedMutation<
  APITypes.BookTicketMutationVariables,
  APITypes.BookTicketMutation
>;
export const cancelTicket = /* GraphQL */ `mutation CancelTicket($event_id: ID!) {
  cancelTicket(event_id: $event_id) {
    event_id
    user_id
    booked_at
    event {
      id
      name
      description
      event_owner
      room_id
      image_file_name
      event_datetime_start
      event_datetime_end
      event_duration
      total_tickets
      tickets_sold
      tickets_left
      tickets
      __typename
    }
    __typename
  }
}
` as GeneratedMutation<
  APITypes.CancelTicketMutationVariables,
  APITypes.CancelTicketMutation
>;
export const createActivity = /* GraphQL */ `mutation CreateActivity($input: CreateActivityInput!) {
  createActivity(input: $input) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedMutation<
  APITypes.CreateActivityMutationVariables,
  APITypes.CreateActivityMutation
>;
export const updateActivity = /* GraphQL */ `mutation UpdateActivity($input: UpdateActivityInput!) {
  updateActivity(input: $input) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedMutation<
  APITypes.UpdateActivityMutationVariables,
  APITypes.UpdateActivityMutation
>;
export const deleteActivity = /* GraphQL */ `mutation DeleteActivity($input: DeleteActivityInput!) {
  deleteActivity(input: $input) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedMutation<
  APITypes.DeleteActivityMutationVariables,
  APITypes.DeleteActivityMutation
>;
export const updateUser = /* GraphQL */ `mutation UpdateUser($input: UpdateUserInput!) {
  updateUser(input: $input) {
    id
    username
    height
    weight
    caloriesTargetPerDay
    bmi
    __typename
  }
}
` as GeneratedMutation<
  APITypes.UpdateUserMutationVariables,
  APITypes.UpdateUserMutation
>;
